import { lambdaEntry } from '../shared/lambda.ts';
import { createEmbedderHandler } from './embedder.ts';

/** Embedder Lambda: consumes the embed queue (FIFO, group = document), reports partial batch failures. */
export const handler = lambdaEntry('full', (rt) => createEmbedderHandler(rt.deps, { maxReceives: rt.maxReceives }));
