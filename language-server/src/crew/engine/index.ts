/** The pipeline engine with Attractor semantics: the public API. */
export { parseDot, parsePipeline, DotParseError, subgraphClass, type ParsePipelineOptions, type ParsedPipeline } from './dot-parser.js';
export {
    locateDiagnostic,
    locateDiagnostics,
    emptySourceMap,
    LineIndex,
    type DotSourceMap,
    type NodeSource,
    type EdgeSource,
    type AttributeRange,
    type LocatedDiagnostic,
    type Position,
    type Range
} from './source-map.js';
export {
    ATTRIBUTES,
    SHAPE_TO_HANDLER_TYPE,
    FIDELITY_MODES,
    JOIN_POLICIES,
    AttributeValueError,
    findAttribute,
    attributesOn,
    checkAttributeValue,
    nearestAttribute,
    editDistance,
    parseDuration,
    type AttributeInfo,
    type AttributeTarget,
    type AttributeType
} from './attributes.js';
export {
    createGraph,
    createNode,
    createEdge,
    withNodeAttrs,
    mapNodes,
    outgoingEdges,
    declaredHandlerType,
    shapeHandlerType,
    findStartNode,
    isStartNode,
    isExitNode,
    type Attrs,
    type PipelineGraph,
    type PipelineNode,
    type PipelineEdge
} from './pipeline-graph.js';
export {
    validate,
    validateOrRaise,
    ValidationError,
    BUILT_IN_RULES,
    BUILT_IN_HANDLER_TYPES,
    type Diagnostic,
    type Severity,
    type LintRule,
    type LintContext,
    type ValidateOptions
} from './lint.js';
export { parseCondition, evaluateCondition, resolveKey, ConditionSyntaxError, type ConditionClause } from './conditions.js';
export { selectEdge, selectConditionalEdge, normalizeLabel } from './edge-selection.js';
export { parseStylesheet, resolveStyle, applyModelStylesheet, StylesheetSyntaxError, type StylesheetRule, type Selector, type StylesheetProperty } from './stylesheet.js';
export { expandVariables, expandGoalVariable, preparePipeline, BUILT_IN_TRANSFORMS, type Transform, type PrepareOptions } from './transforms.js';
export { delayForAttempt, maxAttempts, isRetryableError, DEFAULT_BACKOFF, RETRY_PRESETS, type BackoffConfig, type RetryPreset } from './retry.js';
export { Context, stringValue } from './context.js';
export { fail, isSuccess, toStatusFile, fromStatusFile, StatusFileError, type Outcome, type StageStatus } from './outcome.js';
export type { PipelineEvent, PipelineEventKind, EventListener } from './events.js';
export {
    saveCheckpoint,
    loadCheckpoint,
    writeFileAtomic,
    readStatus,
    writeStatus,
    newRunId,
    CHECKPOINT_FILE,
    MANIFEST_FILE,
    STATUS_FILE,
    type Checkpoint,
    type Manifest
} from './checkpoint.js';
export {
    QuestionType,
    AnswerValue,
    AutoApproveInterviewer,
    QueueInterviewer,
    CallbackInterviewer,
    RecordingInterviewer,
    ConsoleInterviewer,
    type Interviewer,
    type Question,
    type Answer,
    type Option
} from './interviewer.js';
export type { NodeHandler, EngineServices, BranchResult } from './handlers/handler.js';
export { HandlerRegistry, createDefaultRegistry, type DefaultHandlerOptions, type ResolvedHandler } from './handlers/registry.js';
export { createCodergenHandler, type CodergenBackend, type StageCall } from './handlers/codergen.js';
export { acceleratorKey } from './handlers/wait-human.js';
export type { ParallelResult } from './handlers/parallel.js';
export { runPipeline, resumePipeline, type RunOptions, type PipelineRunResult } from './runner.js';
export { runLimits, RunBudget, NO_USAGE, type RunLimits, type RunUsage } from './run-budget.js';
export {
    resolveFidelity,
    resolveThreadKey,
    carriedContext,
    DEFAULT_FIDELITY,
    RESUME_FIDELITY,
    type Fidelity,
    type StageSession,
    type Arrival,
    type RunHistory
} from './fidelity.js';
export { ArtifactStore, ArtifactNotFoundError, FILE_BACKING_THRESHOLD, type ArtifactInfo } from './artifacts.js';
