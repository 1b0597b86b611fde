// The LVS lab's client, run inside the client namespace:
//   node test/helpers/netns-lvs-client.ts URL COUNT [LOCAL_ADDR,...]
// Makes COUNT sequential requests, each on a new TCP connection (so the director schedules each one),
// cycling through the local source addresses, and prints a JSON array of bodies ("ERR:<code>" on failure).
import { request } from 'node:http';

const [url = '', countText = '1', locals = ''] = process.argv.slice(2);
const sources = locals ? locals.split(',') : [undefined];

function once(localAddress: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, localAddress, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(`ERR:${e.code ?? e.message}`));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`ERR:${e.code ?? e.message}`));
    req.end();
  });
}

const out: string[] = [];
for (let i = 0; i < Number(countText); i++) out.push(await once(sources[i % sources.length]));
process.stdout.write(JSON.stringify(out) + '\n');
