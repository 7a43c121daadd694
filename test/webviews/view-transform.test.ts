import { describe, expect, test } from 'vitest';
import { fit, isViewTransform, maxScale, minScale, panToShow, zoomAt } from '../../webviews/src/view-transform.js';

/** Where a diagram point lands in the viewport. */
const project = (t: { scale: number, x: number, y: number }, p: { x: number, y: number }) => ({ x: p.x * t.scale + t.x, y: p.y * t.scale + t.y });

describe('zoom', () => {
    test('zooming at the pointer keeps the diagram point under it in place', () => {
        const before = { scale: 0.8, x: 40, y: -20 };
        const under = { x: (300 - before.x) / before.scale, y: (200 - before.y) / before.scale };
        const after = zoomAt(before, 1.5, 300, 200);
        expect(after.scale).toBeCloseTo(1.2);
        expect(project(after, under).x).toBeCloseTo(300);
        expect(project(after, under).y).toBeCloseTo(200);
    });

    test('zoom stops at the limits instead of flipping or vanishing', () => {
        let t = { scale: 1, x: 0, y: 0 };
        for (let i = 0; i < 100; i++) {
            t = zoomAt(t, 2, 10, 10);
        }
        expect(t.scale).toBe(maxScale);
        for (let i = 0; i < 100; i++) {
            t = zoomAt(t, 0.5, 10, 10);
        }
        expect(t.scale).toBe(minScale);
    });
});

describe('fit', () => {
    test('a large diagram shrinks to the viewport and is centred', () => {
        const t = fit({ width: 2000, height: 500 }, { width: 1032, height: 800 });
        expect(t.scale).toBeCloseTo(0.5);
        expect(t.x).toBeCloseTo(16);
        expect(project(t, { x: 1000, y: 250 })).toEqual({ x: 516, y: 400 });
    });

    test('a small diagram keeps its natural size, centred', () => {
        expect(fit({ width: 200, height: 100 }, { width: 1000, height: 500 })).toEqual({ scale: 1, x: 400, y: 200 });
    });

    test('nothing measured (no diagram yet) leaves the view as it is drawn', () => {
        expect(fit({ width: 0, height: 0 }, { width: 800, height: 600 })).toEqual({ scale: 1, x: 0, y: 0 });
    });
});

describe('bringing a highlighted node into view', () => {
    const viewport = { width: 800, height: 600 };
    const t = { scale: 1, x: 0, y: 0 };

    test('a visible node does not move the view', () => {
        expect(panToShow(t, { left: 100, top: 100, width: 50, height: 20 }, viewport)).toEqual(t);
    });

    test('a node off to the right is pulled just inside the edge', () => {
        const moved = panToShow(t, { left: 1000, top: 100, width: 50, height: 20 }, viewport);
        expect(moved.y).toBe(0);
        expect(1000 + 50 + moved.x).toBe(800 - 16);
    });

    test('a node above the view comes down to the top margin', () => {
        expect(panToShow(t, { left: 100, top: -300, width: 50, height: 20 }, viewport).y).toBe(316);
    });
});

test('saved transforms are only used when they make sense', () => {
    expect(isViewTransform({ scale: 1.5, x: -10, y: 20 })).toBe(true);
    expect(isViewTransform({ scale: 0, x: 0, y: 0 })).toBe(false);
    expect(isViewTransform({ scale: 1, x: null, y: 0 })).toBe(false);
    expect(isViewTransform(undefined)).toBe(false);
});
