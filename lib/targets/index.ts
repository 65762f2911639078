export * from './presets';
export * from './targets';
