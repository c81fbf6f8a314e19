// After a Tab press: the focused element must show a focus ring (outline
// or box-shadow) that stands out from what is behind it (3:1).
// Used by console_layouts.rs (read with include_str!).
const el = document.activeElement;
if (!el || el === document.body) return "";
const name = el.tagName.toLowerCase() + (el.getAttribute("data-testid") ? `[data-testid=${el.getAttribute("data-testid")}]` : "") +
  ` "${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 24)}"`;
const s = getComputedStyle(el);
const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
const ring = s.boxShadow && s.boxShadow !== "none";
if (!el.matches(":focus-visible") || !(outline || ring)) return `no visible focus on ${name}`;
if (!outline) return "";
const parse = (c) => {
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const [r, g, b, a] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return [r, g, b, a === undefined || Number.isNaN(a) ? 1 : a];
};
// The outline is drawn outside the element: compare with the parent's backdrop.
let bg = [255, 255, 255];
for (let p = el.parentElement; p; p = p.parentElement) {
  const c = parse(getComputedStyle(p).backgroundColor);
  if (c && c[3] >= 1) { bg = c; break; }
}
const lum = (c) => 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
function f(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }
const ring_color = parse(s.outlineColor) || [0, 0, 0, 1];
const [a, b] = [lum(ring_color), lum(bg)].sort((x, y) => y - x);
const ratio = (a + 0.05) / (b + 0.05);
return ratio < 3 ? `focus ring contrast ${ratio.toFixed(2)}:1 on ${name}` : "";
