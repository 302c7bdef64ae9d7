// Built-in adapter: the AWS SDK for JavaScript v3 (@aws-sdk/client-<service>) on Node.
// CommonJS so that NODE_PATH (set by the harness to the repository's node_modules) resolves the SDK.
// One-shot: one JSON input on stdin, one result line on stdout.  CONNECT_CONTRACT_MODE=lines: one
// result line per input line until stdin closes.  The SDK reads AWS_MAX_ATTEMPTS from the environment.
//
// The call is CONNECT_CONTRACT_SERVICE / CONNECT_CONTRACT_OPERATION (unset: connect
// UpdateParticipantAuthentication).  Inputs and outputs use the documented encoding (timestamps as ISO
// 8601 strings, blobs as base64): CONNECT_CONTRACT_SHAPES names botocore's model of the service, which
// says which members are timestamps and blobs, so the input becomes Dates and bytes as an application
// would pass them, and the parsed output goes back in the same encoding (without $metadata).
'use strict';

const fs = require('node:fs');

const service = process.env.CONNECT_CONTRACT_SERVICE || 'connect';
const operation = process.env.CONNECT_CONTRACT_OPERATION || 'UpdateParticipantAuthentication';
// botocore service names whose npm package is named differently (the SDK's own package names).
const PACKAGE_NAMES = { 'iot-data': 'iot-data-plane' };
const packageName = `@aws-sdk/client-${PACKAGE_NAMES[service] || service}`;

let sdk;
try {
  sdk = require(packageName);
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(packageName)) {
    process.stderr.write(
      `connect-contract: Cannot find module '${packageName}'. Run \`npm ci\` in the connect-contract ` +
        'repository, or point CONNECT_CONTRACT_NODE_MODULES at a node_modules that has it.\n',
    );
    process.exit(3);
  }
  throw err;
}
const clientName = Object.keys(sdk).find((k) => k.endsWith('Client') && !k.startsWith('__'));
const Client = sdk[clientName];
// An operation newer than this SDK's model: the client cannot call it at all.  Every call says so
// ("unmodeled_input": ["*"]), and the harness counts the vector as refused, not as a failure.
const Command = sdk[`${operation}Command`];

const botocoreModel = process.env.CONNECT_CONTRACT_SHAPES
  ? JSON.parse(fs.readFileSync(process.env.CONNECT_CONTRACT_SHAPES, 'utf8'))
  : null;
const shapes = botocoreModel && botocoreModel.shapes;
const model = botocoreModel && botocoreModel.operations[operation];

// Output members botocore's model has and this SDK's own model lacks (the two are released apart): the
// SDK cannot parse what it does not know, so the adapter says so ("unmodeled") and those go unjudged.
// Walks botocore's output shape beside the SDK's static schema ([3, ns, name, traits, names, schemas]
// for structures, [1, ..., member] lists, [2, ..., key, value] maps).
function unmodeledMembers(side) {
  const out = [];
  // a member is its target schema, a function returning it, or [target, memberTraits]
  const resolve = (s) => {
    const value = typeof s === 'function' ? s() : s;
    return Array.isArray(value) && typeof value[0] === 'function' ? resolve(value[0]) : value;
  };
  function walk(shapeName, schema, path, stack = []) {
    const shape = shapes[shapeName];
    const js = resolve(schema);
    if (!shape || !Array.isArray(js) || stack.includes(shapeName)) return; // recursive shapes end here
    stack = [...stack, shapeName];
    if (shape.type === 'structure' && !shape.document && (js[0] === 3 || js[0] === 4)) {
      const names = js[4] || [];
      for (const [name, member] of Object.entries(shape.members || {})) {
        const at = path ? `${path}.${name}` : name;
        const index = names.indexOf(name);
        if (index < 0) out.push(at);
        else walk(member.shape, (js[5] || [])[index], at, stack);
      }
    } else if (shape.type === 'list' && js[0] === 1) {
      walk(shape.member.shape, js[4], `${path}[]`, stack);
    } else if (shape.type === 'map' && js[0] === 2) {
      walk(shape.value.shape, js[5], `${path}[]`, stack);
    }
  }
  try {
    const op = sdk[`${operation}$`];
    const index = side === 'input' ? 4 : 5;
    if (model && model[side] && Array.isArray(op)) walk(model[side].shape, op[index], '');
  } catch (err) {
    return [];
  }
  return out;
}
const unmodeled = shapes ? unmodeledMembers('output') : [];
const unmodeledInput = shapes ? unmodeledMembers('input') : [];

// The documented encoding -> what an application passes the SDK.
function decode(shapeName, value) {
  if (value === null || value === undefined || !shapes) return value;
  const shape = shapes[shapeName];
  if (!shape) return value;
  switch (shape.type) {
    case 'structure':
      if (shape.document || typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, shape.members[k] ? decode(shape.members[k].shape, v) : v]),
      );
    case 'list':
      return Array.isArray(value) ? value.map((v) => decode(shape.member.shape, v)) : value;
    case 'map':
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(shape.value.shape, v)]));
    case 'timestamp':
      return typeof value === 'string' ? new Date(value) : value;
    case 'blob':
      return typeof value === 'string' ? new Uint8Array(Buffer.from(value, 'base64')) : value;
    case 'float':
    case 'double':
      return value === 'NaN' || value === 'Infinity' || value === '-Infinity' ? Number(value) : value;
    default:
      return value;
  }
}

// A parsed output -> the documented encoding.
async function encode(value) {
  if (value === null || value === undefined) return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value.transformToByteArray === 'function') {
    return Buffer.from(await value.transformToByteArray()).toString('base64');
  }
  if (Array.isArray(value)) return Promise.all(value.map(encode));
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k !== '$metadata') out[k] = await encode(v);
    }
    return out;
  }
  return value;
}

// The path this SDK's own endpoint rules give the service's endpoint (no endpoint configured): '' for nearly
// every service, '/v2' for geo-maps in @aws-sdk/client-geo-maps 3.1000.0, whose model leaves /v2 out of its
// request URIs.  An explicit endpoint replaces the rules' URL, path included, so the endpoint this adapter
// gives the SDK carries the path, as a user's would (base_path.py; the judge expects botocore's path).
function rulesBasePath() {
  try {
    const probe = new Client({ region: process.env.AWS_REGION });
    const resolved = probe.config.endpointProvider({ Region: process.env.AWS_REGION, UseFIPS: false, UseDualStack: false });
    return resolved.url.pathname.replace(/\/+$/, '');
  } catch (err) {
    return ''; // rules that want more input than a region: the path is then the request URI alone
  }
}

function makeCall() {
  const client = new Client({
    region: process.env.AWS_REGION,
    endpoint: process.env.CONNECT_CONTRACT_ENDPOINT.replace(/\/+$/, '') + rulesBasePath(),
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
    disableHostPrefix: true,
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
    if (!Command) {
      return { outcome: 'rejected', message: `${packageName} has no ${operation}Command`, unmodeled_input: ['*'] };
    }
    sent = false;
    try {
      const params = model && model.input ? decode(model.input.shape, input) : input;
      const response = await client.send(new Command(params));
      const result = { outcome: 'success', output: await encode(response) };
      if (unmodeled.length) result.unmodeled = unmodeled;
      if (unmodeledInput.length) result.unmodeled_input = unmodeledInput;
      return result;
    } catch (err) {
      if (!sent) {
        return { outcome: 'rejected', message: String((err && err.message) || err), unmodeled_input: unmodeledInput };
      }
      const message = err && typeof err.message === 'string' ? err.message : null;
      return { outcome: 'error', code: String((err && err.name) || 'Error'), message, unmodeled_input: unmodeledInput };
    }
  };
}

require('../driver.cjs').runAdapter('js', makeCall);
