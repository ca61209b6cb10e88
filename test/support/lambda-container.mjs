// One Lambda execution environment for a bundled function: a fresh Node process that imports
// the bundle at init, as the Node.js runtime does, then runs the invocations its parent sends
// over IPC, one at a time. Started by test/support/lambda-container.ts.
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
let handler;
try {
  ({ handler } = await import(pathToFileURL(entry).href));
  if (typeof handler !== 'function') throw new Error(`${entry} exports no handler function`);
  process.send({ type: 'ready' });
} catch (error) {
  process.send({ type: 'init-error', error: { name: error?.name, message: error?.message, stack: error?.stack } });
}

process.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  // The runtime sets the trace header of each invocation in the environment.
  process.env._X_AMZN_TRACE_ID = message.traceId;
  const deadline = Date.now() + message.timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const value = await handler(message.event, context);
    process.send({ type: 'result', id: message.id, ok: true, value });
  } catch (error) {
    process.send({ type: 'result', id: message.id, ok: false, error: { name: error?.name, message: error?.message, stack: error?.stack } });
  }
});
