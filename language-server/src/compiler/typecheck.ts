import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import type { GeneratedFile } from './compile.js';

/**
 * Typechecks a generated app in memory, as `tsc -p tsconfig.json` would, with the compiler options
 * of the app's own tsconfig.json. Only TypeScript's lib files are read from disk: next to the bundle
 * (`typescript-lib/`, copied there by esbuild.mjs, since the .vsix has no node_modules) or, running
 * from source, TypeScript's own lib folder. TypeScript is big: the bundles load this module on demand
 * from `typecheck.cjs` (see esbuild.mjs).
 */

export interface AppTypeError {
    /** The file's path relative to the app's root (`/`-separated); '' for an error of no file. */
    file: string;
    /** 1-based; 0 for an error of no file. */
    line: number;
    /** 1-based; 0 for an error of no file. */
    column: number;
    /** TypeScript's error code (TS2339 is 2339). */
    code: number;
    message: string;
}

/** Where the app's files seem to be: no real folder is ever read under it. */
const appRoot = '/fspec-app';

/** The type errors of the generated app's files, as tsc -p tsconfig.json would report them (same compiler options), without touching the disk except for TypeScript's own lib files. */
export function typecheckApp(files: readonly GeneratedFile[]): AppTypeError[] {
    const texts = new Map(files.map(file => [`${appRoot}/${file.path.replace(/\\/g, '/').replace(/^\.\//, '')}`, file.text]));
    const libs = libFolder();
    const config = parsedConfig(texts);
    const options = config.options;
    const host = inMemoryHost(texts, libs, options);
    const program = ts.createProgram({ rootNames: config.fileNames, options, host, configFileParsingDiagnostics: config.errors });
    // tsc's own order: with syntax errors it reports those only.
    const diagnostics: ts.Diagnostic[] = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics()];
    if (!program.getSyntacticDiagnostics().length) {
        diagnostics.push(...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics());
    }
    const errors = diagnostics.filter(d => d.category === ts.DiagnosticCategory.Error).map(appTypeError);
    return unique(errors).sort(byPlace);
}

function parsedConfig(texts: ReadonlyMap<string, string>): ts.ParsedCommandLine {
    const configFile = `${appRoot}/tsconfig.json`;
    const text = texts.get(configFile);
    if (text === undefined) {
        throw new Error('The app has no tsconfig.json to typecheck it with.');
    }
    const json = ts.parseJsonText(configFile, text);
    const parseHost: ts.ParseConfigHost = {
        useCaseSensitiveFileNames: true,
        fileExists: file => texts.has(file),
        readFile: file => texts.get(file),
        readDirectory: (root, extensions, excludes, includes) => matching([...texts.keys()], root, extensions, excludes, includes)
    };
    return ts.parseJsonSourceFileConfigFileContent(json, parseHost, appRoot, undefined, configFile);
}

/**
 * The app's files a tsconfig's include/exclude select: `*`, `?` and `**` globs, a name without
 * wildcards being a file or a folder (what the generated tsconfig.json uses; no hidden-file rules).
 */
function matching(paths: readonly string[], root: string, extensions: readonly string[], excludes: readonly string[] | undefined, includes: readonly string[] | undefined): string[] {
    const patterns = (specs: readonly string[] | undefined, kind: 'include' | 'exclude') => (specs ?? []).map(spec => globRegExp(path.posix.resolve(root, spec), kind));
    const included = includes?.length ? patterns(includes, 'include') : [globRegExp(`${root}/**/*`, 'include')];
    const excluded = patterns(excludes, 'exclude');
    return paths.filter(file => extensions.some(extension => file.endsWith(extension))
        && included.some(pattern => pattern.test(file)) && !excluded.some(pattern => pattern.test(file))).sort();
}

function globRegExp(absoluteSpec: string, kind: 'include' | 'exclude'): RegExp {
    const parts = absoluteSpec.split('/').filter(part => part !== '');
    const source = parts.map(part => part === '**'
        ? '(?:/[^/]+)*'
        : `/${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}`).join('');
    const last = parts.at(-1) ?? '';
    // An excluded name is a file or a folder; an included one without wildcards or extension is a folder.
    const inside = kind === 'exclude' || !/[*?.]/.test(last) ? '(?:/.+)?' : '';
    return new RegExp(`^${source}${inside}$`);
}

/** A CompilerHost serving the app's files from memory and TypeScript's lib files from `libs`. */
function inMemoryHost(texts: ReadonlyMap<string, string>, libs: string, options: ts.CompilerOptions): ts.CompilerHost {
    const folders = new Set<string>();
    for (const file of texts.keys()) {
        for (let folder = path.posix.dirname(file); !folders.has(folder) && folder !== '/'; folder = path.posix.dirname(folder)) {
            folders.add(folder);
        }
    }
    const libFile = (file: string) => isLibFile(libs, file) ? path.join(libs, path.basename(file)) : undefined;
    // What parsing and binding a file depend on, besides its text.
    const optionsKey = JSON.stringify({ target: options.target, module: options.module, strict: options.strict, alwaysStrict: options.alwaysStrict });
    const previous = appSourceFiles;
    appSourceFiles = new Map();
    return {
        getSourceFile: (fileName, languageVersion) => {
            const key = `${fileName}\n${JSON.stringify(languageVersion)}\n${optionsKey}`;
            const lib = libFile(fileName);
            if (lib !== undefined) {
                let sourceFile = libSourceFiles.get(key);
                if (!sourceFile) {
                    sourceFile = ts.createSourceFile(fileName, fs.readFileSync(lib, 'utf8'), languageVersion);
                    libSourceFiles.set(key, sourceFile);
                }
                return sourceFile;
            }
            const text = texts.get(fileName);
            if (text === undefined) {
                return undefined;
            }
            const reused = previous.get(key);
            const sourceFile = reused?.text === text ? reused : ts.createSourceFile(fileName, text, languageVersion);
            appSourceFiles.set(key, sourceFile);
            return sourceFile;
        },
        getDefaultLibFileName: opts => `${libs}/${ts.getDefaultLibFileName(opts)}`,
        getDefaultLibLocation: () => libs,
        writeFile: () => { /* noEmit */ },
        getCurrentDirectory: () => appRoot,
        getCanonicalFileName: fileName => fileName,
        useCaseSensitiveFileNames: () => true,
        getNewLine: () => '\n',
        fileExists: fileName => texts.has(fileName) || libFile(fileName) !== undefined,
        readFile: fileName => {
            const lib = libFile(fileName);
            return lib !== undefined ? fs.readFileSync(lib, 'utf8') : texts.get(fileName);
        },
        directoryExists: folder => folders.has(folder.replace(/\/$/, '')) || folder.replace(/\/$/, '') === libs,
        getDirectories: folder => [...folders].filter(f => path.posix.dirname(f) === folder.replace(/\/$/, '')).map(f => path.posix.basename(f)),
        realpath: fileName => fileName
    };
}

/** The folder of TypeScript's lib .d.ts files: next to the bundle, or TypeScript's own. */
function libFolder(): string {
    if (foundLibFolder === undefined) {
        const candidates = [
            ...typeof __dirname === 'string' ? [path.join(__dirname, 'typescript-lib')] : [],
            path.dirname(ts.getDefaultLibFilePath({}))
        ];
        const found = candidates.find(folder => fs.existsSync(path.join(folder, 'lib.es5.d.ts')));
        if (found === undefined) {
            throw new Error(`TypeScript's lib files are missing (looked in ${candidates.join(', ')}).`);
        }
        foundLibFolder = found.split(path.sep).join('/');
        libNames = new Set(fs.readdirSync(found).filter(name => /^lib\..*\.d\.ts$/.test(name)));
    }
    return foundLibFolder;
}

let foundLibFolder: string | undefined;
let libNames = new Set<string>();

function isLibFile(libs: string, file: string): boolean {
    return path.posix.dirname(file.replace(/\\/g, '/')) === libs && libNames.has(path.posix.basename(file));
}

/**
 * Parsed (and, once a program bound them, bound) source files, shared by the programs as a language
 * service shares them: the lib files, which never change, and the last call's app files, most of
 * which the next call (another body for a step) has unchanged.
 */
const libSourceFiles = new Map<string, ts.SourceFile>();
let appSourceFiles = new Map<string, ts.SourceFile>();

function appTypeError(diagnostic: ts.Diagnostic): AppTypeError {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (!diagnostic.file || diagnostic.start === undefined) {
        return { file: diagnostic.file ? relative(diagnostic.file.fileName) : '', line: 0, column: 0, code: diagnostic.code, message };
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return { file: relative(diagnostic.file.fileName), line: line + 1, column: character + 1, code: diagnostic.code, message };
}

function relative(fileName: string): string {
    return fileName.startsWith(`${appRoot}/`) ? fileName.slice(appRoot.length + 1) : fileName;
}

function unique(errors: AppTypeError[]): AppTypeError[] {
    const seen = new Set<string>();
    return errors.filter(error => {
        const key = JSON.stringify(error);
        return seen.has(key) ? false : (seen.add(key), true);
    });
}

function byPlace(a: AppTypeError, b: AppTypeError): number {
    return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code - b.code || a.message.localeCompare(b.message);
}
