/**
 * The SourceConnector contract over every kind in shared/connectors/registry.ts, each built by
 * its definition from a validated config (test/contract/harnesses/). Each connector's own test
 * file covers what only that source owes.
 */
import { connectors } from '../../shared/connectors/registry.ts';
import { contractHarnesses } from './harnesses/index.ts';
import { contractOverRegistry } from './registry-contract.ts';

contractOverRegistry(connectors, contractHarnesses);
