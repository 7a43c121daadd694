/** Names and literals in generated TypeScript: spec names are identifiers, but not always usable ones. */

const reserved = new Set([
    'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
    'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super',
    'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as', 'implements', 'interface',
    'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await', 'async', 'arguments', 'eval',
    'input', 'ctx', 'kit', 'T', 'rt'
]);

/** `yield_forecast` → `yieldForecast`; a reserved word or a name the module uses itself gets a trailing `_`. */
export function camelName(name: string): string {
    const camel = name.replace(/_+([a-zA-Z0-9])/g, (_, c: string, offset: number) => offset === 0 ? `_${c}` : c.toUpperCase());
    return reserved.has(camel) ? `${camel}_` : camel;
}

/** `yield_forecast` → `YieldForecast`, for the step's input and output interfaces. */
export function pascalName(name: string): string {
    const camel = name.replace(/^_+/, '').replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
    return (camel.charAt(0).toUpperCase() + camel.slice(1)) || 'Step';
}

/** A string literal (JSON's quoting is valid TypeScript). */
export function str(value: string): string {
    return JSON.stringify(value);
}

/** Text safe inside a `/** … *\/` or `//` comment: no comment end, no line breaks. */
export function commentText(text: string): string {
    return text.replace(/\*\//g, '* /').replace(/[\r\n\u2028\u2029]+/g, ' ');
}

/** A property name: bare when it is an identifier, quoted otherwise. */
export function propertyName(name: string): string {
    return /^[A-Za-z_$][\w$]*$/.test(name) ? name : str(name);
}

/** `a, b and c`. */
export function listText(items: string[]): string {
    return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Lines indented by `depth` levels of four spaces (empty lines stay empty). */
export function indent(code: string, depth: number): string {
    const pad = '    '.repeat(depth);
    return code.split('\n').map(line => line ? pad + line : line).join('\n');
}

/** `a Contract`, `an Impact`: for comments in generated code. */
export function a(name: string): string {
    return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}
