/**
 * Pan and zoom of the stage inside the viewport: drag to pan, wheel to scroll, Ctrl/Cmd + wheel
 * (and trackpad pinch, which Chromium reports as Ctrl + wheel) to zoom at the pointer, keys
 * + - 0. The stage's CSS transform is the only thing changed, so a new SVG keeps the view.
 */
import type { ViewTransform } from './messages.js';
import { cssTransform, fit, identity, panBy, panToShow, zoomAt, zoomStep } from './view-transform.js';

/** Pointer travel (px) after which a press is a drag, not a click. */
const dragThreshold = 4;
/** Wheel deltas in lines (Firefox-style) to pixels. */
const lineHeight = 16;

export class PanZoom {
    private transform: ViewTransform = identity;
    private press?: { pointerId: number; x: number; y: number; origin: ViewTransform; dragging: boolean };
    /** The last press became a drag: the click that ends it is not a click on a node. */
    private dragged = false;

    constructor(private readonly viewport: HTMLElement, private readonly stage: HTMLElement, private readonly onChange: (t: ViewTransform) => void) {
        viewport.addEventListener('wheel', event => this.wheel(event), { passive: false });
        viewport.addEventListener('pointerdown', event => this.pointerDown(event));
        viewport.addEventListener('pointermove', event => this.pointerMove(event));
        viewport.addEventListener('pointerup', () => this.press = undefined);
        viewport.addEventListener('pointercancel', () => this.press = undefined);
        viewport.addEventListener('keydown', event => this.key(event));
    }

    get current(): ViewTransform {
        return this.transform;
    }

    set(transform: ViewTransform): void {
        this.transform = transform;
        this.stage.style.transform = cssTransform(transform);
        this.onChange(transform);
    }

    /** Zooms about the middle of the viewport (toolbar buttons and keys). */
    zoomBy(factor: number): void {
        const box = this.viewport.getBoundingClientRect();
        this.set(zoomAt(this.transform, factor, box.width / 2, box.height / 2));
    }

    /** The whole diagram in view. */
    fit(): void {
        const box = this.viewport.getBoundingClientRect();
        const svg = this.stage.querySelector('svg');
        const size = svg?.getBoundingClientRect();
        // Measured on screen, so divided by the current scale to get the diagram's own size.
        const content = size ? { width: size.width / this.transform.scale, height: size.height / this.transform.scale } : { width: 0, height: 0 };
        this.set(fit(content, box));
    }

    /** Pans just enough to bring an element (a highlighted node) into view. */
    show(element: Element): void {
        const viewport = this.viewport.getBoundingClientRect();
        const box = element.getBoundingClientRect();
        const next = panToShow(this.transform, { left: box.left - viewport.left, top: box.top - viewport.top, width: box.width, height: box.height }, viewport);
        if (next.x !== this.transform.x || next.y !== this.transform.y) {
            this.set(next);
        }
    }

    /** Whether the click now arriving ends a drag (and so must not reveal a node). */
    endsDrag(): boolean {
        const dragged = this.dragged;
        this.dragged = false;
        return dragged;
    }

    private wheel(event: WheelEvent): void {
        event.preventDefault();
        const unit = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? lineHeight : 1;
        if (event.ctrlKey || event.metaKey) {
            const box = this.viewport.getBoundingClientRect();
            this.set(zoomAt(this.transform, Math.exp(-event.deltaY * unit * 0.002), event.clientX - box.left, event.clientY - box.top));
        } else {
            this.set(panBy(this.transform, -event.deltaX * unit, -event.deltaY * unit));
        }
    }

    private pointerDown(event: PointerEvent): void {
        if (event.button === 0) {
            this.press = { pointerId: event.pointerId, x: event.clientX, y: event.clientY, origin: this.transform, dragging: false };
            this.dragged = false;
        }
    }

    private pointerMove(event: PointerEvent): void {
        const press = this.press;
        if (!press || press.pointerId !== event.pointerId) {
            return;
        }
        const dx = event.clientX - press.x;
        const dy = event.clientY - press.y;
        if (!press.dragging && Math.hypot(dx, dy) >= dragThreshold) {
            // Captured only once it is a drag: capturing on press would retarget a plain click to the viewport.
            press.dragging = this.dragged = true;
            this.viewport.setPointerCapture(event.pointerId);
        }
        if (press.dragging) {
            this.set(panBy(press.origin, dx, dy));
        }
    }

    private key(event: KeyboardEvent): void {
        const actions: Record<string, () => void> = {
            '+': () => this.zoomBy(zoomStep), '=': () => this.zoomBy(zoomStep), '-': () => this.zoomBy(1 / zoomStep), '0': () => this.fit()
        };
        const action = event.ctrlKey || event.metaKey || event.altKey ? undefined : actions[event.key];
        if (action) {
            event.preventDefault();
            action();
        }
    }
}
