/** lintrain's version: the CLI's --version, the events' format line, the files a run writes. Kept equal to package.json's (a test checks). */
export const VERSION = '0.4.0';
