// The flat flame model and its pure operations; see model.ts for the shape.
export * from './model';
export { NameTable, OTHER_NAME, capNodes, compactNames, modelFromStacks, type StackInput } from './build';
export { diffModels, focusOn, mergeModels, sandwich, type Sandwich } from './transforms';
export { matchNames, nameMatcher, searchModel, topFunctions, type FlameSearch, type TopFunction } from './search';
export { frameParts, moduleOf, shortenFile, type FrameParts } from './frames';
export { ANCESTOR, COLLAPSED, FRAME, frameAt, layoutFlame, type FlameLayout, type LayoutOptions } from './layout';
