() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const describe = (el) => {
    const text = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}> "${text}"`;
  };
  const outside = (rect) => rect.width > 0 && rect.height > 0 && (rect.right > width + 0.5 || rect.left < -0.5);
  const visuallyHidden = (el, style, rect) =>
    (style.position === 'absolute' && rect.width <= 1 && rect.height <= 1) || style.clip === 'rect(0px, 0px, 0px, 0px)';
  const visit = (el) => {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' && !el.children.length) return;
    const rect = el.getBoundingClientRect();
    if (visuallyHidden(el, style, rect)) return;
    if (outside(rect) && style.position !== 'fixed') {
      problems.push(`${describe(el)} spans ${Math.round(rect.left)}-${Math.round(rect.right)} px`);
      if (problems.length > 12) return;
    }
    // A box that scrolls keeps its content reachable: only the box itself must fit. (Content that
    // a box with overflow: hidden or clip cuts off is checked: that is text a reader cannot see.)
    const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
    if (el !== document.documentElement && el !== document.body && scrolls) return;
    for (const child of el.childNodes) {
      if (child.nodeType === Node.ELEMENT_NODE) {
        visit(child);
      } else if (child.nodeType === Node.TEXT_NODE && child.textContent.trim()) {
        const range = document.createRange();
        range.selectNodeContents(child);
        for (const line of range.getClientRects()) {
          if (outside(line)) {
            problems.push(`text "${child.textContent.trim().slice(0, 40)}" in ${describe(el)} spans ${Math.round(line.left)}-${Math.round(line.right)} px`);
            break;
          }
        }
      }
    }
  };
  visit(document.documentElement);
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width && !problems.length) {
    // Something invisible widens the page: visually hidden text positioned against the page, say.
    for (const el of document.body.querySelectorAll('*')) {
      const rect = el.getBoundingClientRect();
      if (rect.right > width + 0.5 && problems.length < 12) problems.push(`${describe(el)} (not visible) spans ${Math.round(rect.left)}-${Math.round(rect.right)} px`);
    }
  }
  return {width, scrollWidth, problems: problems.slice(0, 12)};
}
