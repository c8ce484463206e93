import PCIMMIO
let tree = try PCITree(root: PCITree.root(option: nil))
for d in try tree.devices() { print(d.address, d.vendorName ?? "-", d.deviceName ?? "-", d.bars) }
