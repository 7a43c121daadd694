/** DOT files are bundled as text (esbuild's text loader; a Vite plugin in vitest.config.ts). */
declare module '*.dot' {
    const text: string;
    export default text;
}
