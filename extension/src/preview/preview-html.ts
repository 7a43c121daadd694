/**
 * The preview webview's HTML: an empty page that loads the bundled script and stylesheet under a
 * strict Content Security Policy. Free of `vscode` so tests can load the same page in Chromium.
 */

export interface PreviewResources {
    /** `webview.cspSource`: the origin VS Code serves the extension's files from. */
    cspSource: string;
    /** `webview.asWebviewUri(out/webviews/preview.js)`. */
    scriptUri: string;
    /** `webview.asWebviewUri(out/webviews/preview.css)`. */
    styleUri: string;
    nonce: string;
}

/** 32 random characters for the script nonce, new for every page. */
export function createNonce(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return Array.from(crypto.getRandomValues(new Uint8Array(32)), byte => alphabet[byte % alphabet.length]).join('');
}

/**
 * Scripts run only with the nonce. Styles also need 'unsafe-inline': Mermaid puts a <style>
 * element inside every SVG and sets inline style attributes, and pan/zoom sets the stage's
 * transform. Images from data: and blob: are the PNG export drawing the SVG onto a canvas.
 * Nothing else is allowed, so nothing is ever fetched from the network.
 */
export function contentSecurityPolicy({ cspSource, nonce }: Pick<PreviewResources, 'cspSource' | 'nonce'>): string {
    return [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src ${cspSource} 'unsafe-inline'`,
        `img-src ${cspSource} data: blob:`,
        `font-src ${cspSource}`
    ].join('; ');
}

function attribute(value: string): string {
    return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function previewHtml(resources: PreviewResources): string {
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(contentSecurityPolicy(resources))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attribute(resources.styleUri)}">
<title>Factory .fspec preview</title>
</head>
<body>
<script nonce="${attribute(resources.nonce)}" src="${attribute(resources.scriptUri)}"></script>
</body>
</html>
`;
}
