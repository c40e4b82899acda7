// Hardhat 3 build and contract-test configuration.
// The compiler is solc-js from the pinned npm `solc` package: no compiler is downloaded at build time.
import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  solidity: {
    version: "0.8.28",
    path: require.resolve("solc/soljson.js"),
    settings: {
      evmVersion: "paris",
      optimizer: { enabled: true, runs: 1000 },
      // Hardhat adds its own selection to this one. The storage layout is what ledger/certificates/storage_proofs.py
      // reads its slots from; selecting an output changes no bytecode (the metadata hash leaves outputSelection out).
      outputSelection: { "*": { "*": ["storageLayout"] } },
    },
  },
  paths: {
    sources: "contracts",
    tests: { solidity: "tests/contracts" },
  },
  test: {
    solidity: {
      fuzz: { runs: 256, seed: "0x5eed" },
      invariant: { runs: 64, depth: 32, failOnRevert: false },
    },
  },
});
