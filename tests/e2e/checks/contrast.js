() => {
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return {r, g, b, a: a === undefined ? 1 : a};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) layers.push(colour);
      if (colour && colour.a >= 1) break;
    }
    let result = {r: 255, g: 255, b: 255, a: 1};  // the canvas
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = ({r, g, b}) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const failures = [];
  const controls = document.querySelectorAll('a[href], button, input[type=submit], input[type=button], summary');
  for (const control of controls) {
    if (control.disabled || !control.checkVisibility({visibilityProperty: true})) continue;
    const walker = document.createTreeWalker(control, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) if (walker.currentNode.textContent.trim()) texts.push(walker.currentNode.parentElement);
    if (control.tagName === 'INPUT') texts.push(control);
    for (const el of new Set(texts)) {
      const rect = el.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) continue;  // visually hidden text
      const style = getComputedStyle(el);
      const bg = background(el);
      const fg = over(parse(style.color), bg);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const value = ratio(fg, bg);
      const needed = large ? 3 : 4.5;
      if (value < needed) {
        const name = (control.innerText || control.value || '').trim().replace(/\s+/g, ' ').slice(0, 50);
        failures.push(`${control.tagName.toLowerCase()} "${name}": ${value.toFixed(2)}:1 (needs ${needed}:1), ${style.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`);
        break;
      }
    }
  }
  return failures;
}
