/**
 * Pan and zoom as pure arithmetic on a ViewTransform (a diagram point p is drawn at
 * p * scale + (x, y) in viewport pixels), so the DOM code only measures and applies.
 */
import type { ViewTransform } from './messages.js';

export interface Size { width: number; height: number }
/** A rectangle in viewport pixels. */
export interface Box { left: number; top: number; width: number; height: number }

export const minScale = 0.05;
export const maxScale = 8;
/** One click of a zoom button. */
export const zoomStep = 1.25;
const margin = 16;

export const identity: ViewTransform = { scale: 1, x: 0, y: 0 };

function clampScale(scale: number): number {
    return Math.min(maxScale, Math.max(minScale, scale));
}

/** Zooms by `factor` keeping the viewport point (px, py) over the same diagram point. */
export function zoomAt(t: ViewTransform, factor: number, px: number, py: number): ViewTransform {
    const scale = clampScale(t.scale * factor);
    const k = scale / t.scale;
    return { scale, x: px - (px - t.x) * k, y: py - (py - t.y) * k };
}

export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
    return { scale: t.scale, x: t.x + dx, y: t.y + dy };
}

/**
 * The whole diagram centred in the viewport. Small diagrams stay at their natural size
 * (blown up, a three-node lineage looks broken); large ones shrink to fit.
 */
export function fit(content: Size, viewport: Size): ViewTransform {
    if (content.width <= 0 || content.height <= 0) {
        return identity;
    }
    const room = { width: Math.max(1, viewport.width - 2 * margin), height: Math.max(1, viewport.height - 2 * margin) };
    const scale = clampScale(Math.min(1, room.width / content.width, room.height / content.height));
    return { scale, x: (viewport.width - content.width * scale) / 2, y: (viewport.height - content.height * scale) / 2 };
}

/**
 * The smallest pan that brings `box` (a node, in viewport pixels) into the viewport; unchanged
 * when it is already fully visible. A node larger than the viewport is centred instead.
 */
export function panToShow(t: ViewTransform, box: Box, viewport: Size): ViewTransform {
    const shift = (start: number, length: number, room: number) => {
        if (length + 2 * margin > room) {
            return room / 2 - (start + length / 2);
        }
        if (start < margin) {
            return margin - start;
        }
        const end = start + length;
        return end > room - margin ? room - margin - end : 0;
    };
    return panBy(t, shift(box.left, box.width, viewport.width), shift(box.top, box.height, viewport.height));
}

/** Whether a saved transform is usable (state from an older webview may lack or mangle it). */
export function isViewTransform(value: unknown): value is ViewTransform {
    const t = value as ViewTransform | undefined;
    return typeof t === 'object' && t !== null && [t.scale, t.x, t.y].every(Number.isFinite) && t.scale > 0;
}

export function cssTransform(t: ViewTransform): string {
    return `translate(${t.x}px, ${t.y}px) scale(${t.scale})`;
}
