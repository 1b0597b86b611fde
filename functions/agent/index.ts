export { startAgent, loadPlan, type AgentOptions, type RunningAgent } from './run-agent.ts';
export { controlRequest, defaultControlSocket } from './control-server.ts';
