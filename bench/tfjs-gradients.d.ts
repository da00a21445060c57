// Side-effect import that registers tfjs's gradient kernels (no typings; resolves through the bundler).
declare module "@tensorflow/tfjs-core/dist/register_all_gradients";
