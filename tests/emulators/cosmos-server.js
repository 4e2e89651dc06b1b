// Starts the Cosmos DB stand-in (@vercel/cosmosdb-server, patched by patch-package) over HTTPS.
// Test-only: the certificate in ./certs is self-signed and its key is public; the .NET tests
// accept it explicitly. In-memory: every start is an empty account.
"use strict";

const fs = require("fs");
const path = require("path");
const { createHttpsServer } = require("@vercel/cosmosdb-server");

const host = process.env.COSMOS_HOST || "127.0.0.1";
const port = Number(process.env.COSMOS_PORT || 8081);
const certDir = path.join(__dirname, "certs");

const server = createHttpsServer({
  cert: fs.readFileSync(path.join(certDir, "test-only-cert.pem")),
  key: fs.readFileSync(path.join(certDir, "test-only-key.pem")),
  keepAlive: true, // ~4x throughput: the SDK otherwise opens a TLS connection per request
});
server.keepAliveTimeout = 60_000;

server.on("error", (err) => {
  console.error(`cosmos stand-in failed: ${err.message}`);
  process.exit(1);
});

server.listen(port, host, () => {
  console.log(`cosmos stand-in listening on https://${host}:${port}/`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
