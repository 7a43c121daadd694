/** Typed run events (§9.6). `kind` tells them apart; durations are in milliseconds. */
import type { Answer, Question } from './interviewer.js';
import type { StageStatus } from './outcome.js';

export type PipelineEvent =
    | { readonly kind: 'PipelineStarted'; readonly name: string; readonly run_id: string }
    | { readonly kind: 'PipelineCompleted'; readonly duration_ms: number; readonly artifact_count: number }
    | { readonly kind: 'PipelineFailed'; readonly error: string; readonly duration_ms: number }
    | { readonly kind: 'PipelineCancelled'; readonly reason: string; readonly duration_ms: number }
    | { readonly kind: 'StageStarted'; readonly node_id: string; readonly index: number; readonly attempt: number }
    | { readonly kind: 'StageCompleted'; readonly node_id: string; readonly index: number; readonly duration_ms: number; readonly status: StageStatus }
    | { readonly kind: 'StageFailed'; readonly node_id: string; readonly index: number; readonly error: string; readonly will_retry: boolean }
    | { readonly kind: 'StageRetrying'; readonly node_id: string; readonly index: number; readonly attempt: number; readonly delay_ms: number }
    | { readonly kind: 'ParallelStarted'; readonly node_id: string; readonly branch_count: number }
    | { readonly kind: 'ParallelBranchStarted'; readonly branch: string; readonly index: number }
    | { readonly kind: 'ParallelBranchCompleted'; readonly branch: string; readonly index: number; readonly duration_ms: number; readonly success: boolean }
    | { readonly kind: 'ParallelCompleted'; readonly node_id: string; readonly duration_ms: number; readonly success_count: number; readonly failure_count: number }
    | { readonly kind: 'InterviewStarted'; readonly question: Question; readonly stage: string }
    | { readonly kind: 'InterviewCompleted'; readonly question: Question; readonly answer: Answer; readonly duration_ms: number }
    | { readonly kind: 'InterviewTimeout'; readonly question: Question; readonly stage: string; readonly duration_ms: number }
    | { readonly kind: 'CheckpointSaved'; readonly node_id: string };

export type PipelineEventKind = PipelineEvent['kind'];

export type EventListener = (event: PipelineEvent) => void;
