import { URI } from 'langium';
import { AbstractExecuteCommandHandler, type ExecuteCommandAcceptor, type LangiumSharedServices } from 'langium/lsp';
import type { FspecServices } from '../fspec-module.js';
import { FspecCommands, reconverge } from './drift-actions.js';

export { FspecCommands } from './drift-actions.js';

/**
 * The commands the server executes (`workspace/executeCommand`, announced in `executeCommandProvider`),
 * so a code action can run one in any LSP client: VS Code's client registers them as commands itself.
 */
export class FspecCommandHandler extends AbstractExecuteCommandHandler {
    constructor(private readonly shared: LangiumSharedServices) {
        super();
    }

    registerCommands(accept: ExecuteCommandAcceptor): void {
        accept(FspecCommands.Reconverge, ([uri]) => reconverge(this.language(uri), uri));
    }

    /** The language services of the document a command names. */
    private language(uri: unknown): FspecServices {
        return this.shared.ServiceRegistry.getServices(URI.parse(typeof uri === 'string' ? uri : 'file:///unknown.fspec')) as FspecServices;
    }
}
