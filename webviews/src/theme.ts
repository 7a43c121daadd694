/**
 * VS Code's theme as the webview sees it (a class on <body>), and the Mermaid theme for each.
 * Mermaid derives its colours with colour arithmetic, so it needs real colours, not CSS variables.
 */
import type { MermaidConfig } from 'mermaid';

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** VS Code puts `vscode-high-contrast` on high-contrast light bodies too, so the light variant is checked first. */
export function themeKindOf(body: Element): ThemeKind {
    const classes = body.classList;
    if (classes.contains('vscode-high-contrast-light')) {
        return 'high-contrast-light';
    }
    if (classes.contains('vscode-high-contrast')) {
        return 'high-contrast';
    }
    return classes.contains('vscode-dark') ? 'dark' : 'light';
}

/**
 * Plain fills with strong borders and text, for both high-contrast themes. Mindmaps draw a
 * section's nodes and edges in one colour (`cScale*`), so those are the border colour with the
 * background's colour for labels: edges in the background colour would vanish.
 */
function highContrast(background: string, foreground: string, border: string): MermaidConfig {
    const scale = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [
        [`cScale${i}`, border], [`cScaleLabel${i}`, background], [`cScalePeer${i}`, foreground]
    ]).flat());
    return {
        theme: 'base',
        themeVariables: {
            darkMode: background === '#000000', background, fontSize: '16px',
            primaryColor: background, primaryTextColor: foreground, primaryBorderColor: border,
            secondaryColor: background, tertiaryColor: background, mainBkg: background, nodeBorder: border,
            clusterBkg: background, clusterBorder: foreground, titleColor: foreground, textColor: foreground,
            lineColor: foreground, edgeLabelBackground: background, nodeTextColor: foreground,
            ...scale
        }
    };
}

/** The Mermaid theme settings for a VS Code theme kind (high-contrast borders are VS Code's contrast borders). */
export function mermaidTheme(kind: ThemeKind): MermaidConfig {
    switch (kind) {
        case 'light': return { theme: 'default' };
        case 'dark': return { theme: 'dark' };
        case 'high-contrast': return highContrast('#000000', '#ffffff', '#6fc3df');
        case 'high-contrast-light': return highContrast('#ffffff', '#000000', '#0f4a85');
    }
}

/** Calls `onChange` with the new kind whenever VS Code switches theme (it rewrites the body's classes). */
export function watchTheme(body: HTMLElement, onChange: (kind: ThemeKind) => void): () => void {
    let current = themeKindOf(body);
    const observer = new MutationObserver(() => {
        const next = themeKindOf(body);
        if (next !== current) {
            current = next;
            onChange(next);
        }
    });
    observer.observe(body, { attributes: true, attributeFilter: ['class'] });
    return () => observer.disconnect();
}
