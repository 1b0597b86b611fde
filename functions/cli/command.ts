/** What every `floatip` subcommand provides. `run` returns the process exit code. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A command as `floatip help` lists it, its module loaded when it runs (commands/index.ts). */
export interface ListedCommand {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Exit codes shared by all subcommands (close to keepalived's where it has one). */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 64,
  /** keepalived -t uses 5 for config errors; so do we. */
  configInvalid: 5,
  /** keepalived -t uses 6 for script security problems (KEEPALIVED_CHK_EXIT_CONFIG_TEST_SECURITY). */
  scriptSecurity: 6,
} as const;
