// Ends the Jest output with one plain line that any CI reader understands:
// "jest: N passed, N failed, N skipped", after the titles of skipped tests that say why (a suite
// needing a program this machine lacks names it and its install command).
// Written at exit so that it comes after Jest's own summary.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    // A suite that fails to load has no failed tests; count it so the line never reads clean.
    const brokenSuites = results.testResults.filter((r) => r.testExecError).length;
    const notRun = results.testResults
      .flatMap((file) => file.testResults)
      .filter((t) => t.status === 'pending' && t.title.startsWith('not run:'))
      .map((t) => `  ${t.ancestorTitles.join(' › ')}: ${t.title}`);
    const line = `jest: ${numPassedTests} passed, ${numFailedTests + brokenSuites} failed, ${numPendingTests + numTodoTests} skipped`;
    const text = notRun.length
      ? `\nskipped suites:\n${notRun.join('\n')}\n${line}\n`
      : `\n${line}\n`;
    process.once('exit', () => process.stderr.write(text));
  }
}
