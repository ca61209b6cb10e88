import type { SQSRecord } from 'aws-lambda';
import type { ReceivedMessage as PortMessage } from '../../shared/ports/index.ts';

export type ReceivedMessage = PortMessage<unknown>;
export type SQSRecordLike = SQSRecord;
