// Ends the Jest output with one plain line that any CI reader understands:
// "jest: N passed, N failed, N skipped". Written at exit so that it comes after Jest's own summary.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    // A suite that fails to load has no failed tests; count it so the line never reads clean.
    const brokenSuites = results.testResults.filter((r) => r.testExecError).length;
    const line = `jest: ${numPassedTests} passed, ${numFailedTests + brokenSuites} failed, ${numPendingTests + numTodoTests} skipped`;
    process.once('exit', () => process.stderr.write(`\n${line}\n`));
  }
}
