export * from './image-warp';
export * from './paddle-det';
export * from './paddle-rec';
export * from './plate-format';
