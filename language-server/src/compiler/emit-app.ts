import type { AppModel } from './app-model.js';
import { header } from './emit-types.js';
import { str } from './ts-names.js';

/** `src/app.ts` (panels, disclaimers, pipelines) and the app's package.json, tsconfig.json and README.md. */

export interface AppFolders {
    /** The records folder, relative to the app's root folder (`/`-separated). */
    records: string;
    /** The data folder the app writes to, relative to its root. */
    data: string;
}

export function appModule(app: AppModel, folders: AppFolders): string {
    const panels = app.panels.map(p => `        ${JSON.stringify({ name: p.name, ...p.title ? { title: p.title } : {}, shows: p.shows, roles: p.roles, disclaimers: p.disclaimers, actions: p.actions })}`);
    return [
        header(app, 'the app: its interface, safety notes and pipelines.'),
        "import type { AppDef } from './runtime/app-def.ts';",
        ...app.pipelines.map(p => `import { pipeline as pipeline_${p.name} } from './pipelines/${p.name}.ts';`),
        '',
        'export const app: AppDef = {',
        `    spec: ${str(app.spec)},`,
        `    version: ${str(app.version)},`,
        ...app.purpose !== undefined ? [`    purpose: ${str(app.purpose)},`] : [],
        '    panels: [',
        panels.join(',\n'),
        '    ],',
        `    disclaimers: ${JSON.stringify(app.disclaimers)},`,
        `    guardrails: ${JSON.stringify(app.guardrails)},`,
        `    pipelines: [${app.pipelines.map(p => `pipeline_${p.name}`).join(', ')}],`,
        `    folders: ${JSON.stringify(folders)}`,
        '};',
        ''
    ].join('\n');
}

export function packageJson(app: AppModel): string {
    const name = `${app.spec.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-app`;
    return `${JSON.stringify({
        name, version: /^\d+\.\d+\.\d+/.test(app.version) ? app.version : '0.0.0', private: true, type: 'module',
        description: `${app.spec} ${app.version}, compiled from its .fspec by fspec build`,
        engines: { node: '>=22.6' },
        scripts: {
            start: 'node --experimental-strip-types src/main.ts serve',
            pipelines: 'node --experimental-strip-types src/main.ts run',
            test: 'node --experimental-strip-types src/main.ts test',
            typecheck: 'tsc --noEmit -p tsconfig.json'
        }
    }, null, 2)}\n`;
}

export function tsconfigJson(): string {
    return `${JSON.stringify({
        compilerOptions: {
            target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023'],
            // The app declares the Node APIs it uses itself (src/node-shim.d.ts): no @types needed.
            types: [],
            strict: true, noEmit: true, allowImportingTsExtensions: true,
            // What Node's type stripping runs: no enums, namespaces or parameter properties.
            verbatimModuleSyntax: true, erasableSyntaxOnly: true,
            skipLibCheck: true, forceConsistentCasingInFileNames: true
        },
        include: ['src/**/*.ts']
    }, null, 2)}\n`;
}

export function readme(app: AppModel): string {
    return [
        `# ${app.spec} ${app.version}`,
        '',
        `Compiled from the spec by \`fspec build\`; rebuild instead of editing, except between the`,
        '`// fspec:begin body` and `// fspec:end body` markers of a step (a rebuild keeps an edited body).',
        '',
        '```sh',
        'node src/main.ts run [pipeline…] [--records dir] [--data dir] [--today YYYY-MM-DD] [--json]',
        'node src/main.ts serve [--port N] [--records dir] [--data dir] [--today YYYY-MM-DD]',
        'node src/main.ts test [test…] [--records dir] [--data dir] [--today YYYY-MM-DD] [--json]',
        '```',
        '',
        '`test` runs the pipelines on the sample records and on generated edge cases (each in a fresh folder under',
        '`data/acceptance/`), then every check of every acceptance test (`src/acceptance/`); exit 1 when one fails.',
        '',
        'Node 22.18 or newer strips the types itself (22.6 to 22.17: add `--experimental-strip-types`).',
        '`manifest.json` holds a sha256 of every generated file (bodies left out) and of every body.',
        ''
    ].join('\n');
}
