import { PreviewGate } from './preview-gate';

describe('PreviewGate', () => {
  it('admits up to its limit, refuses beyond, and frees a slot once per release', () => {
    const gate = new PreviewGate(2);
    const a = gate.tryEnter();
    const b = gate.tryEnter();
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(gate.tryEnter()).toBeNull();
    a!();
    a!();
    expect(gate.inUse).toBe(1);
    const c = gate.tryEnter();
    expect(c).not.toBeNull();
    expect(gate.tryEnter()).toBeNull();
  });
});
