import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileApp, type GeneratedFile } from '../../language-server/src/compiler/compile.js';
import { bodiesOf, withBodies } from '../../language-server/src/compiler/regions.js';
import { typecheckApp } from '../../language-server/src/compiler/typecheck.js';
import { farmSpec, pinnedNode, root, specGraph, tempDir } from './compiled-app.js';

const allocate = 'contract_allocation.allocate';
const allocateFile = 'src/pipelines/contract_allocation/allocate.ts';

let farmApp: GeneratedFile[];

beforeAll(async () => {
    farmApp = compileApp(await specGraph(farmSpec)).files;
});

/** The farm app with the allocate step's marked body replaced. */
function withAllocateBody(body: string): GeneratedFile[] {
    return farmApp.map(file => file.path === allocateFile ? { ...file, text: withBodies(file.text, new Map([[allocate, body]])) } : file);
}

/** The 1-based lines strictly between the allocate step's markers. */
function allocateRegion(files: GeneratedFile[]): { first: number, last: number } {
    const lines = files.find(file => file.path === allocateFile)!.text.split('\n');
    const begin = lines.findIndex(line => line.includes(`// fspec:begin body ${allocate}`)) + 1;
    const end = lines.findIndex(line => line.includes('// fspec:end body')) + 1;
    return { first: begin + 1, last: end - 1 };
}

describe('typecheckApp checks a generated app in memory, as tsc -p tsconfig.json does', () => {
    it('finds no type errors in the farmer example', () => {
        expect(farmApp.find(file => file.path === allocateFile)).toBeDefined();
        expect(bodiesOf(farmApp.find(file => file.path === allocateFile)!.text).has(allocate)).toBe(true);
        expect(typecheckApp(farmApp)).toEqual([]);
    });

    it("reports a body reading a field that does not exist, in that step's file, inside its region", () => {
        const files = withAllocateBody('    const first = input.reads.Contract[0];\n    ctx.note(String(first?.nope));\n    return { Allocation: [] };\n');
        const errors = typecheckApp(files);
        expect(errors).toHaveLength(1);
        const [error] = errors;
        expect(error).toMatchObject({ file: allocateFile, code: 2339, message: "Property 'nope' does not exist on type 'Stored<Contract>'." });
        const region = allocateRegion(files);
        expect(error.line).toBe(region.first + 1);
        expect(error.line).toBeLessThanOrEqual(region.last);
        expect(error.column).toBe(files.find(file => file.path === allocateFile)!.text.split('\n')[error.line - 1].indexOf('nope') + 1);
    });

    it('reports a body that does not parse', () => {
        const files = withAllocateBody('    const out = ;\n    return { Allocation: [] };\n');
        expect(typecheckApp(files)).toEqual([{ file: allocateFile, line: allocateRegion(files).first, column: 17, code: 1109, message: 'Expression expected.' }]);
    });

    it('reports what Node cannot strip (erasableSyntaxOnly): an enum in a body', () => {
        const files = withAllocateBody('    enum Status { Reserved }\n    ctx.note(String(Status.Reserved));\n    return { Allocation: [] };\n');
        expect(typecheckApp(files)).toEqual([{
            file: allocateFile, line: allocateRegion(files).first, column: 10, code: 1294,
            message: "This syntax is not allowed when 'erasableSyntaxOnly' is enabled."
        }]);
    });

    it("reports every error, sorted by place, and only in the tsconfig's files (src/**/*.ts)", () => {
        const files = [
            ...withAllocateBody('    const count: number = "many";\n    return { Allocation: [], count };\n'),
            { path: 'src/extra/late.ts', text: 'export const late: string = 1;\n' },
            { path: 'scripts/outside.ts', text: 'export const outside: string = 1;\n' }
        ];
        const errors = typecheckApp(files);
        expect(errors.map(error => [error.file, error.code])).toEqual([['src/extra/late.ts', 2322], [allocateFile, 2322], [allocateFile, 2353]]);
        expect(errors[1].line).toBeLessThan(errors[2].line);
        expect(errors[2].message).toContain("Object literal may only specify known properties, and 'count' does not exist in type 'AllocateOutput'.");
    });

    it("follows the app's tsconfig.json: without strict, an implicit any is no error", () => {
        const loose = (strict: boolean): GeneratedFile[] => [
            { path: 'tsconfig.json', text: JSON.stringify({ compilerOptions: { target: 'ES2023', module: 'NodeNext', lib: ['ES2023'], types: [], strict, noEmit: true }, include: ['src/**/*.ts'] }) },
            { path: 'package.json', text: '{ "type": "module" }' },
            { path: 'src/x.ts', text: 'export function twice(n) { return n * 2; }\n' }
        ];
        expect(typecheckApp(loose(true)).map(error => error.code)).toEqual([7006]);
        expect(typecheckApp(loose(false))).toEqual([]);
    });
});

describe('the bundled typechecker', () => {
    const bundle = path.join(root, 'out/language-server/typecheck.cjs');
    const libFolder = path.join(root, 'out/language-server/typescript-lib');
    const sources = ['language-server/src/compiler/typecheck.ts', 'esbuild.mjs', 'node_modules/typescript/package.json'].map(file => path.join(root, file));

    beforeAll(() => {
        // Rebuild the bundles when typecheck.cjs is missing or older than what it is built from.
        if (!fs.existsSync(bundle) || !fs.existsSync(libFolder) || fs.statSync(bundle).mtimeMs < Math.max(...sources.map(file => fs.statSync(file).mtimeMs))) {
            execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root });
        }
    }, 120_000);

    it('works as the .vsix ships it: typecheck.cjs and typescript-lib/ in a folder with no node_modules', () => {
        const dir = tempDir('typecheck-bundle');
        fs.copyFileSync(bundle, path.join(dir, 'typecheck.cjs'));
        fs.cpSync(libFolder, path.join(dir, 'typescript-lib'), { recursive: true });
        const script = [
            "const { typecheckApp } = require('./typecheck.cjs');",
            "let typescriptFound = true; try { require.resolve('typescript'); } catch { typescriptFound = false; }",
            'const files = [',
            ...['tsconfig.json', 'package.json'].map(name => `  { path: '${name}', text: ${JSON.stringify(farmApp.find(file => file.path === name)!.text)} },`),
            "  { path: 'src/x.ts', text: 'export const x: number = \"one\";\\nexport const y: string[] = [1, 2].toSorted().map(String);\\n' }",
            '];',
            'console.log(JSON.stringify({ typescriptFound, errors: typecheckApp(files) }));'
        ].join('\n');
        fs.writeFileSync(path.join(dir, 'check.cjs'), script);
        const env = { ...process.env, NODE_PATH: '' };
        const output = execFileSync(pinnedNode, ['check.cjs'], { cwd: dir, env, encoding: 'utf8' });
        expect(JSON.parse(output)).toEqual({
            typescriptFound: false,
            errors: [{ file: 'src/x.ts', line: 1, column: 14, code: 2322, message: "Type 'string' is not assignable to type 'number'." }]
        });
    });
});
