// Built-in adapter: the legacy AWS SDK for JavaScript v2 (npm `aws-sdk`, 2.x) on Node.
// CommonJS so that NODE_PATH (set by the harness to the repository's node_modules) resolves the SDK.
// One-shot: one JSON input on stdin, one result line on stdout.  CONNECT_CONTRACT_MODE=lines: one
// result line per input line until stdin closes.
//
// The Connect model bundled with v2 predates UpdateParticipantAuthentication, so the harness passes
// botocore's model (loaded with botocore's Loader, written to a file) in CONNECT_CONTRACT_API_MODEL and
// the client is built from it through v2's documented `apiConfig` option.  v2 does not read
// AWS_MAX_ATTEMPTS, so the adapter turns it into `maxRetries` (attempts - 1); unset, the SDK's own
// retry defaults apply (the retry vectors measure those).
'use strict';

const fs = require('node:fs');

let AWS;
try {
  AWS = require('aws-sdk/global');
} catch (err) {
  process.stderr.write(
    'connect-contract: aws-sdk (v2) is not installed. Run `npm ci` in the connect-contract ' +
      'repository, or point CONNECT_CONTRACT_NODE_MODULES at a node_modules that has it.\n',
  );
  process.exit(3);
}

function makeClient() {
  const modelPath = process.env.CONNECT_CONTRACT_API_MODEL;
  if (!modelPath) {
    process.stderr.write('connect-contract js-v2 adapter: CONNECT_CONTRACT_API_MODEL is not set\n');
    process.exit(3);
  }
  const config = {
    apiConfig: JSON.parse(fs.readFileSync(modelPath, 'utf8')),
    region: process.env.AWS_REGION,
    endpoint: process.env.CONNECT_CONTRACT_ENDPOINT,
    credentials: new AWS.Credentials(process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY),
  };
  const attempts = Number.parseInt(process.env.AWS_MAX_ATTEMPTS || '', 10);
  if (attempts >= 1) config.maxRetries = attempts - 1;
  return new AWS.Service(config);
}

function makeCall() {
  const client = makeClient();
  return async (input) => {
    // Whether the request left the process: an error before that is a local rejection.
    let sent = false;
    const request = client.makeRequest('updateParticipantAuthentication', input);
    request.on('send', () => {
      sent = true;
    });
    try {
      await request.promise();
      return { outcome: 'success' };
    } catch (err) {
      if (!sent) {
        return { outcome: 'rejected', message: String((err && err.message) || err) };
      }
      const message = err && typeof err.message === 'string' ? err.message : null;
      return { outcome: 'error', code: String((err && err.code) || 'Error'), message };
    }
  };
}

require('../driver.cjs').runAdapter('js-v2', makeCall);
