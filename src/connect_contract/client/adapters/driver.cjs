'use strict';
// The adapter protocol's two modes for the built-in Node adapters (JS SDK v3 and v2): one input on
// stdin and one result line, or, with CONNECT_CONTRACT_MODE=lines, one result line per input line.

function emit(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function serve(call) {
  if (process.env.CONNECT_CONTRACT_MODE === 'lines') {
    const rl = require('node:readline').createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of rl) {
      if (line.trim()) emit(await call(JSON.parse(line)));
    }
    return;
  }
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  emit(await call(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
}

// Runs ``makeCall()`` under the protocol; a crash is one line on stderr naming the adapter, exit 1.
function runAdapter(name, makeCall) {
  Promise.resolve()
    .then(() => serve(makeCall()))
    .catch((err) => {
      process.stderr.write(`connect-contract ${name} adapter: ${(err && err.stack) || err}\n`);
      process.exit(1);
    });
}

module.exports = { runAdapter };
