// Example connect-contract adapter, in JavaScript, around @aws-sdk/client-connect (one-shot protocol).
//
//   connect-contract check-client --client-cmd "node examples/adapters/js_adapter.cjs"
//
// stdin: one JSON object, the call's input with the model's member names (null = an explicit null).
// stdout, last line: {"outcome":"success"} | {"outcome":"error","code":...,"message":...}
//                    | {"outcome":"rejected","message":...}; exit 0 in all three cases.
'use strict';
const { ConnectClient, UpdateParticipantAuthenticationCommand } = require('@aws-sdk/client-connect');

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const client = new ConnectClient({
    region: process.env.AWS_REGION,
    endpoint: process.env.CONNECT_CONTRACT_ENDPOINT,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
  }); // maxAttempts comes from AWS_MAX_ATTEMPTS, which the harness sets
  let result;
  try {
    await client.send(new UpdateParticipantAuthenticationCommand(input));
    result = { outcome: 'success' };
  } catch (err) {
    // Service errors carry the HTTP status; anything else failed before a response came back.
    if (err.$metadata && err.$metadata.httpStatusCode !== undefined) {
      result = { outcome: 'error', code: err.name, message: err.message ?? null };
    } else {
      result = { outcome: 'rejected', message: String(err.message || err) };
    }
  }
  console.log(JSON.stringify(result));
}

main();
