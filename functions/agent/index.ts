export { startAgent, loadPlan, type AgentOptions, type RunningAgent } from './run-agent.ts';
export { controlRequest, defaultControlSocket } from '../../adapters/system/control-server.ts';
