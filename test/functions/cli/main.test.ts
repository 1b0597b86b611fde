import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../functions/cli/main.ts';
import type { Command, CliIo } from '../../../functions/cli/command.ts';

function capture(): CliIo & { outText: string; errText: string } {
  const io = {
    outText: '',
    errText: '',
    out: (t: string) => void (io.outText += `${t}\n`),
    err: (t: string) => void (io.errText += `${t}\n`),
  };
  return io;
}

const echo: Command = {
  name: 'echo',
  summary: 'prints its arguments',
  usage: 'floatip echo ARGS',
  run: async (a, io) => (io.out(a.join(' ')), 0),
};

test('dispatches to the named command with its arguments', async () => {
  const io = capture();
  assert.equal(await main(['echo', 'a', 'b'], io, [echo]), 0);
  assert.equal(io.outText, 'a b\n');
});

test('an unknown command is a usage error that lists the commands', async () => {
  const io = capture();
  assert.equal(await main(['nope'], io, [echo]), 64);
  assert.match(io.errText, /unknown command 'nope'/);
  assert.match(io.errText, /echo\s+prints its arguments/);
});

test('--help prints the usage of one command without running it', async () => {
  const io = capture();
  assert.equal(await main(['echo', '--help'], io, [echo]), 0);
  assert.match(io.outText, /usage: floatip echo ARGS/);
});

test('every listed command loads the module of its own name and summary; help loads none', async () => {
  const { commands } = await import('../../../functions/cli/commands/index.ts');
  let loaded = 0;
  const counting = commands.map((c) => ({ ...c, load: () => (loaded++, c.load()) }));
  const io = capture();
  assert.equal(await main(['help'], io, counting), 0);
  assert.equal(loaded, 0);
  for (const c of commands) {
    assert.match(io.outText, new RegExp(`${c.name}\\s+`));
    const full = await c.load();
    assert.equal(full.name, c.name);
    assert.equal(full.summary, c.summary, `${c.name}: the summary listed is the module's`);
  }
});
