// Audits the page as it looks now; returns a list of problems as text.
// Used by console_layouts.rs (read with include_str!).
const problems = [];
const describe = (el) => {
  const id = el.getAttribute("data-testid");
  const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
  return el.tagName.toLowerCase() + (id ? `[data-testid=${id}]` : "") + cls;
};
const visible = (el) => {
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return box.width > 0 && box.height > 0 && style.visibility !== "hidden" && style.display !== "none";
};

// 1. The body never scrolls sideways; wide content scrolls in its own box.
// (A phone zooms out to show a too-wide page, which grows innerWidth; the
// layout viewport, clientWidth, stays the device's width.)
const doc = document.documentElement;
const width = Math.min(window.innerWidth, doc.clientWidth);
if (doc.scrollWidth > width) {
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (p === document.body || p === doc) return false;
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") return true;
    }
    return false;
  };
  const out = [...document.body.querySelectorAll("*")]
    .filter((el) => visible(el) && el.getBoundingClientRect().right > width + 1 && !scrolls(el));
  // The innermost ones: what pushes the page wide, not its ancestors.
  const wide = out
    .filter((el) => !out.some((other) => other !== el && el.contains(other)))
    .slice(0, 6)
    .map((el) => `${describe(el)} (right edge ${Math.round(el.getBoundingClientRect().right)})`);
  problems.push(`page is wider than the screen: scrollWidth ${doc.scrollWidth} > ${width} (innerWidth ${window.innerWidth}); sticking out: ${wide.join(", ")}`);
}

// Nor is a table cut off by a box that hides what does not fit.
for (const table of document.querySelectorAll("table")) {
  for (let p = table.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === "auto" || o === "scroll") break;
    if ((o === "hidden" || o === "clip") && p.scrollWidth > p.clientWidth + 1) {
      problems.push(`${describe(table)} is cut off by ${describe(p)}: ${p.scrollWidth} px in ${p.clientWidth} px`);
      break;
    }
  }
}

// 2. Every form control has a label (label element, aria-label or aria-labelledby).
for (const el of document.querySelectorAll("input, select, textarea")) {
  if (el.type === "hidden") continue;
  const named = (el.labels && el.labels.length > 0) || (el.getAttribute("aria-label") || "").trim() ||
    (el.getAttribute("aria-labelledby") || "").split(/\s+/).some((id) => id && document.getElementById(id));
  if (!named) problems.push(`unlabelled ${describe(el)} name=${el.name || "-"} placeholder=${el.placeholder || "-"}`);
}

// 3. Text contrast against what is behind it (WCAG AA: 4.5:1, 3:1 for large text).
const parse = (c) => {
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const [r, g, b, a] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return [r, g, b, a === undefined || Number.isNaN(a) ? 1 : a];
};
const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
const backdrop = (el) => {
  const layers = [];
  for (let p = el; p; p = p.parentElement) {
    const bg = parse(getComputedStyle(p).backgroundColor);
    if (bg && bg[3] > 0) {
      layers.push(bg);
      if (bg[3] >= 1) break;
    }
  }
  let color = [255, 255, 255, 1];
  for (const layer of layers.reverse()) color = over(layer, color);
  return color;
};
const luminance = (c) => {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const seen = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!el || !node.textContent.trim() || seen.has(el)) continue;
  seen.add(el);
  if (!visible(el) || el.closest("svg, [aria-hidden=true], .sr-only, [disabled], option")) continue;
  const style = getComputedStyle(el);
  const bg = backdrop(el);
  const fg = over(parse(style.color) || [0, 0, 0, 1], bg);
  const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
  const ratio = (l1 + 0.05) / (l2 + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) {
    problems.push(`low contrast ${ratio.toFixed(2)}:1 on ${describe(el)} "${node.textContent.trim().slice(0, 30)}"`);
  }
}
return problems;
