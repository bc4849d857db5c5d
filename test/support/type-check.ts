// Type-checks the repository's TypeScript with the compiler API under the root tsconfig, as
// `pnpm typecheck` does, with some files held in memory: new modules, or new text for files on
// disk. Tests use it to show that a type rejects what it should (a table missing a primitive, say).
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT_TSCONFIG = join(REPO_ROOT, 'tsconfig.json');

export interface TypeCheckOptions {
  /** Absolute path -> source text: modules that exist only in memory, or new text for files on disk. */
  readonly files: ReadonlyMap<string, string>;
  /** Which of the root tsconfig's own files (by repository path) to check too; default none. */
  readonly include?: (repoPath: string) => boolean;
}

/** tsc's diagnostics for each checked file (absolute path -> diagnostics, none when it type-checks). */
export function typeCheck(options: TypeCheckOptions): Map<string, readonly ts.Diagnostic[]> {
  // WebGPU's ambient types, which the sources need, but not Node's: a smaller, faster program.
  const config = ts.getParsedCommandLineOfConfigFile(ROOT_TSCONFIG, { types: ['@webgpu/types'], noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (config === undefined) throw new Error(`cannot read ${ROOT_TSCONFIG}`);
  const { files, include = () => false } = options;
  const host = ts.createCompilerHost(config.options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => files.has(file) || fileExists(file);
  host.readFile = (file) => files.get(file) ?? readFile(file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = files.get(file);
    return text === undefined ? getSourceFile(file, language, ...rest) : ts.createSourceFile(file, text, language);
  };
  const checked = [...new Set([...config.fileNames.filter((f) => include(relative(REPO_ROOT, f))), ...files.keys()])];
  const program = ts.createProgram(checked, config.options, host);
  return new Map(
    checked.map((file) => {
      const source = program.getSourceFile(file);
      if (source === undefined) throw new Error(`tsc did not load ${file}`);
      return [file, [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]];
    }),
  );
}

/** A diagnostic's message, its chain of elaborations on following lines. */
export function messageOf(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
}
