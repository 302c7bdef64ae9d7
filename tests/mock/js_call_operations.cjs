// Calls Connect operations through the real JS SDK v3 (@aws-sdk/client-connect) against a URL, one
// command per line of the JSON array read from stdin: {"operation": NAME, "input": {...}}.  Dates and
// bytes arrive tagged ({"$date": ISO}, {"$bytes": base64}).  Prints one JSON line per call:
// {"operation": NAME, "ok": true} or {"operation": NAME, "ok": false, "error": "..."}.
const connect = require("@aws-sdk/client-connect");

function revive(value) {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    if ("$date" in value) return new Date(value.$date);
    if ("$bytes" in value) return Uint8Array.from(Buffer.from(value.$bytes, "base64"));
    if ("$document" in value) return value.$document;
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out;
  }
  return value;
}

async function main() {
  const url = process.argv[2];
  const calls = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const client = new connect.ConnectClient({
    endpoint: url,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  for (const call of calls) {
    const Command = connect[`${call.operation}Command`];
    if (typeof Command !== "function") {  // an operation newer than the installed SDK
      console.log(JSON.stringify({ operation: call.operation, ok: false, missing: true }));
      continue;
    }
    try {
      const output = await client.send(new Command(revive(call.input)));
      if (!output || !output.$metadata) throw new Error("no output");
      console.log(JSON.stringify({ operation: call.operation, ok: true, status: output.$metadata.httpStatusCode }));
    } catch (error) {
      console.log(JSON.stringify({ operation: call.operation, ok: false, error: `${error.name}: ${error.message}` }));
    }
  }
}

main();
