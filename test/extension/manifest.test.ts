import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { mutationPrViewType, previewViewType } from '../../webviews/src/messages.js';
import { validate } from '../fixtures.js';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

/** A snippet body as VS Code inserts it when the user tabs through without typing: every placeholder keeps its default. */
function expandWithDefaults(body: string[]): string {
    let text = body.join('\n');
    for (let previous = ''; previous !== text;) {
        previous = text;
        text = text.replace(/\$\{\d+:([^${}]*)\}/g, '$1');
    }
    return text.replace(/\$\d+/g, '');
}

describe('extension manifest', () => {
    test('the new-spec snippet inserts a spec that validates without errors', async () => {
        const snippets = JSON.parse(fs.readFileSync(path.join(root, contributes.snippets[0].path), 'utf8'));
        const text = expandWithDefaults(snippets['New spec'].body);
        const result = await validate(text);
        expect(result.diagnostics.filter(d => d.severity === 1).map(d => d.message)).toEqual([]);
        expect(text).toMatch(/^spec App version "0\.1\.0" \{/);
    });

    test('every command in a menu or keybinding is contributed, with a title and an icon', () => {
        const declared = new Map<string, { title: string, icon?: string }>(contributes.commands.map((c: { command: string }) => [c.command, c]));
        const used = [
            ...Object.values(contributes.menus as Record<string, Array<{ command: string }>>).flat().map(m => m.command),
            ...contributes.keybindings.map((k: { command: string }) => k.command)
        ];
        expect(used.filter(command => !declared.has(command))).toEqual([]);
        expect([...declared.values()].filter(c => !c.title || !c.icon?.startsWith('$('))).toEqual([]);
    });

    test('a preview left open at reload activates the extension that restores it', () => {
        expect(manifest.activationEvents).toContain(`onWebviewPanel:${previewViewType}`);
        // A mutation PR is not restored: its run waits in the server that the reload ended.
        expect(manifest.activationEvents).not.toContain(`onWebviewPanel:${mutationPrViewType}`);
    });

    test('the crew\'s commands are in the Factory category; Grow Spec is on .fspec editors\' title bar and palette', () => {
        const command = (id: string) => contributes.commands.find((c: { command: string }) => c.command === id);
        expect(command('fspec.grow')).toEqual({ command: 'fspec.grow', title: 'Grow Spec', category: 'Factory', icon: '$(sparkle)' });
        expect(['fspec.crew.setApiKey', 'fspec.crew.clearApiKey'].map(id => [command(id)?.title, command(id)?.category]))
            .toEqual([['Set Crew API Key', 'Factory'], ['Clear Crew API Key', 'Factory']]);
        expect(contributes.menus['editor/title']).toContainEqual({ command: 'fspec.grow', when: 'editorLangId == fspec', group: 'navigation@3' });
        expect(contributes.menus.commandPalette).toContainEqual({ command: 'fspec.grow', when: 'editorLangId == fspec' });
    });

    test('.dot files are Attractor pipelines, with a preview and a run on their editors\' title bar and palette', () => {
        const language = contributes.languages.find((l: { id: string }) => l.id === 'attractor-dot');
        expect(language).toMatchObject({ aliases: ['Attractor pipeline', 'dot'], extensions: ['.dot'] });
        expect(contributes.grammars).toContainEqual({ language: 'attractor-dot', scopeName: 'source.attractor-dot', path: './extension/syntaxes/dot.tmLanguage.json' });
        const grammar = JSON.parse(fs.readFileSync(path.join(root, 'extension/syntaxes/dot.tmLanguage.json'), 'utf8'));
        expect(grammar.scopeName).toBe('source.attractor-dot');
        const configuration = JSON.parse(fs.readFileSync(path.join(root, language.configuration), 'utf8'));
        expect(configuration.comments).toEqual({ lineComment: '//', blockComment: ['/*', '*/'] });
        const command = (id: string) => contributes.commands.find((c: { command: string }) => c.command === id);
        expect(command('fspec.pipeline.preview')).toMatchObject({ title: 'Open Pipeline Preview', category: 'Factory' });
        expect(command('fspec.pipeline.run')).toMatchObject({ title: 'Run Pipeline', category: 'Factory' });
        for (const id of ['fspec.pipeline.preview', 'fspec.pipeline.run']) {
            expect(contributes.menus['editor/title']).toContainEqual(expect.objectContaining({ command: id, when: 'editorLangId == attractor-dot' }));
            expect(contributes.menus.commandPalette).toContainEqual({ command: id, when: 'editorLangId == attractor-dot' });
        }
        expect(contributes.keybindings).toContainEqual({ command: 'fspec.pipeline.preview', key: 'ctrl+k v', mac: 'cmd+k v', when: 'editorLangId == attractor-dot' });
    });

    test('the settings the issue names are declared with defaults', () => {
        const properties = contributes.configuration.properties;
        expect(Object.keys(properties).sort()).toEqual([
            'fspec.crew.baseUrl', 'fspec.crew.growOnSave', 'fspec.crew.model', 'fspec.crew.provider', 'fspec.crew.timeoutSeconds',
            'fspec.preview.debounceMs', 'fspec.trace.server'
        ]);
        expect(properties['fspec.crew.timeoutSeconds']).toMatchObject({ type: 'number', default: 120 });
        expect(properties['fspec.preview.debounceMs'].default).toBe(300);
        expect(properties['fspec.crew.growOnSave']).toMatchObject({ type: 'boolean', default: true });
        // pi-ai has no default model: the setting must not promise one.
        expect(properties['fspec.crew.model'].markdownDescription).toMatch(/Required with `fspec\.crew\.provider`/);
        expect(properties['fspec.trace.server'].enum).toEqual(['off', 'messages', 'verbose']);
    });

    test('the .vsix holds the bundles and assets, and no sources, maps or node_modules', () => {
        const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
        const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' })
            .split('\n').map(line => line.trim()).filter(Boolean).sort();
        expect(files).toEqual(expect.arrayContaining([
            'package.json', 'README.md', 'out/extension.cjs', 'out/language-server/main.cjs', 'out/language-server/crew-llm.cjs',
            'out/webviews/preview.js', 'out/webviews/mutation-pr.js', 'out/webviews/mutation-pr.css',
            'extension/language-configuration.json', 'extension/syntaxes/fspec.tmLanguage.json', 'extension/snippets/fspec.json', 'extension/icons/fspec.png'
        ]));
        // TypeScript's lib declarations ship for the in-memory typecheck of generated apps; no other .ts file does.
        expect(files).toEqual(expect.arrayContaining(['out/language-server/typecheck.cjs', 'out/language-server/typescript-lib/lib.es2023.d.ts']));
        expect(files.filter(file => /node_modules|\.map$|\.ts$|^test\/|^examples\//.test(file) && !/^out\/language-server\/typescript-lib\/lib\.[\w.]+\.d\.ts$/.test(file))).toEqual([]);
        const languageAssets = contributes.languages.flatMap((l: { configuration: string, icon?: { light: string, dark: string } }) =>
            [l.configuration, ...(l.icon ? [l.icon.light, l.icon.dark] : [])]);
        const grammars = contributes.grammars.map((g: { path: string }) => g.path);
        for (const asset of [manifest.icon, ...languageAssets, ...grammars]) {
            expect(files).toContain(path.normalize(asset));
        }
    });
});
