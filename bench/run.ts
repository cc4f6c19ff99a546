/**
 * `npm run bench`: the benchmarks of the sync engine, the bundles and the API. The engine they
 * measure is not built yet, so there is nothing to time.
 */
console.log('no benchmarks yet: they arrive with the sync engine (see the README, "Performance").');
