/**
 * Exported diagrams: a standalone SVG file (its own size, namespaces, Mermaid's styles inside,
 * an opaque light background), and a PNG drawn from it.
 */

export const exportBackground = '#ffffff';

const svgNamespace = 'http://www.w3.org/2000/svg';
const xhtmlNamespace = 'http://www.w3.org/1999/xhtml';

/** PNGs are drawn at twice the diagram's size for sharp text, within what a canvas can hold. */
const pngScale = 2;
const maxCanvasSide = 16_384;
const maxCanvasArea = 64_000_000;

export interface StandaloneSvg {
    xml: string;
    width: number;
    height: number;
}

/**
 * A Mermaid SVG (as Mermaid serialises it, HTML-style) as a file of its own: well-formed XML with
 * `xmlns`, explicit width and height from its viewBox, and a background rectangle so it reads
 * the same in a dark viewer.
 */
export function standaloneSvg(svgText: string, document: Document): StandaloneSvg {
    // Mermaid's labels are HTML (`<br>`) inside foreignObject: parse as HTML, then serialise as XML.
    const holder = document.createElement('div');
    holder.innerHTML = svgText;
    const svg = holder.querySelector('svg');
    if (!svg) {
        throw new Error('The diagram has no SVG to export.');
    }
    const [x, y, width, height] = (svg.getAttribute('viewBox') ?? '').split(/[\s,]+/).map(Number);
    if (![x, y, width, height].every(Number.isFinite) || width <= 0 || height <= 0) {
        throw new Error('The diagram has no size to export.');
    }
    // Parsed as HTML, a label's `xmlns` is a plain attribute, which XMLSerializer may write next to
    // the namespace it declares itself (jsdom does): a duplicate attribute, so not XML.
    for (const label of svg.querySelectorAll('[xmlns]')) {
        if (label.namespaceURI === xhtmlNamespace) {
            label.removeAttribute('xmlns');
        }
    }
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.style.removeProperty('max-width');
    const background = document.createElementNS(svgNamespace, 'rect');
    for (const [name, value] of Object.entries({ x, y, width, height, fill: exportBackground })) {
        background.setAttribute(name, String(value));
    }
    // After Mermaid's <style>, before everything drawn.
    const style = svg.querySelector(':scope > style');
    svg.insertBefore(background, style ? style.nextSibling : svg.firstChild);
    const xml = new (document.defaultView ?? window).XMLSerializer().serializeToString(svg);
    return { xml: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, width, height };
}

/** UTF-8 text as base64 (btoa only takes Latin-1). */
export function textToBase64(text: string): string {
    const bytes = new TextEncoder().encode(text);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
        binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
}

/** The PNG's pixel size for a diagram: twice as large, shrunk to fit a canvas if need be. */
export function pngSize(width: number, height: number): { width: number; height: number } {
    const scale = Math.min(pngScale, maxCanvasSide / width, maxCanvasSide / height, Math.sqrt(maxCanvasArea / (width * height)));
    return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * A standalone SVG drawn on a light canvas, as base64 PNG. The image is loaded from a data: URL:
 * Chromium taints a canvas that draws an SVG with foreignObject (Mermaid's HTML labels) from a
 * blob: URL, and `toDataURL` then throws; from a data: URL it does not.
 */
export async function svgToPngBase64(svg: StandaloneSvg, document: Document): Promise<string> {
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.xml)}`;
    await image.decode();
    const size = pngSize(svg.width, svg.height);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext('2d');
    if (!context) {
        throw new Error('This webview cannot draw on a canvas.');
    }
    context.fillStyle = exportBackground;
    context.fillRect(0, 0, size.width, size.height);
    context.drawImage(image, 0, 0, size.width, size.height);
    return canvas.toDataURL('image/png').slice('data:image/png;base64,'.length);
}
