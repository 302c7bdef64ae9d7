// Built-in adapter: the AWS SDK for JavaScript v3 (@aws-sdk/client-connect) on Node.
// CommonJS so that NODE_PATH (set by the harness to the repository's node_modules) resolves the SDK.
// One-shot: one JSON input on stdin, one result line on stdout.  CONNECT_CONTRACT_MODE=lines: one
// result line per input line until stdin closes.  The SDK reads AWS_MAX_ATTEMPTS from the environment.
'use strict';

let sdk;
try {
  sdk = require('@aws-sdk/client-connect');
} catch (err) {
  process.stderr.write(
    'connect-contract: @aws-sdk/client-connect is not installed. Run `npm ci` in the connect-contract ' +
      'repository, or point CONNECT_CONTRACT_NODE_MODULES at a node_modules that has it.\n',
  );
  process.exit(3);
}
const { ConnectClient, UpdateParticipantAuthenticationCommand } = sdk;

function makeCall() {
  const client = new ConnectClient({
    region: process.env.AWS_REGION,
    endpoint: process.env.CONNECT_CONTRACT_ENDPOINT,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
  });
  // Whether the request left the process: an error before that is a local rejection.
  let sent = false;
  client.middlewareStack.add(
    (next) => async (args) => {
      sent = true;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'connectContractSentMarker', priority: 'low' },
  );
  return async (input) => {
    sent = false;
    try {
      await client.send(new UpdateParticipantAuthenticationCommand(input));
      return { outcome: 'success' };
    } catch (err) {
      if (!sent) {
        return { outcome: 'rejected', message: String((err && err.message) || err) };
      }
      const message = err && typeof err.message === 'string' ? err.message : null;
      return { outcome: 'error', code: String((err && err.name) || 'Error'), message };
    }
  };
}

function emit(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function main() {
  const call = makeCall();
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

main().catch((err) => {
  process.stderr.write(`connect-contract js adapter: ${(err && err.stack) || err}\n`);
  process.exit(1);
});
