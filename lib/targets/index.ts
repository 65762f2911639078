export * from './presets';
export * from './targets';
export * from './resolve';
