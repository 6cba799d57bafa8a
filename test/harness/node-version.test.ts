/**
 * The tests run on Node 24, the version the actions declare and the workflows set up. The `node`
 * devDependency provides it: npm puts node_modules/.bin first on the PATH of every script, so
 * `npm test` uses it whatever the machine has. Its binary comes from the package's install script,
 * so an install with --ignore-scripts leaves npm on the machine's own Node, silently: this fails instead.
 */
describe('toolchain', () => {
  it('runs on Node 24', () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (major !== 24) {
      throw new Error(
        `the tests run on Node ${process.versions.node}, expected 24: run them through npm (npm test, npm run test:unit), ` +
          'after `npm ci` with install scripts (or `npm rebuild node` after an install with --ignore-scripts); or install Node.js 24',
      );
    }
  });
});
