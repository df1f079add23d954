"""Reads the machine-readable stamp of Parley's `test` source from a decoded luma (Y or gray) plane.

Mirrors Parley.Codecs.Synthetic.TestPatternGenerator.TryReadStamp: a 16 x 8 grid of square cells in the top-left
corner (16 px cells from 320x240 up), MSB first row by row: 0xA5 | frame number (40 bits) | capture Unix ms
(64 bits, signed) | CRC-16/CCITT-FALSE over the first 14 bytes. Each cell's middle quarter is averaged and
thresholded halfway between black (16) and white (235).
"""

COLUMNS, ROWS, MAGIC, BLACK, WHITE = 16, 8, 0xA5, 16, 235


def cell_size(width, height):
    if width >= 320 and height >= 240:
        return 16
    if width >= COLUMNS * 8 and height >= ROWS * 8:
        return 8
    return 0


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def read_stamp(luma, width, height, cell=None):
    """Returns (frame_number, capture_unix_ms) or None. luma: bytes-like, `width` bytes per row, at least the
    top 8 cell rows; `cell` overrides the cell size when the plane is a crop of a larger frame."""
    cell = cell or cell_size(width, height)
    if cell == 0:
        return None
    q = cell // 4
    threshold = (BLACK + WHITE) // 2 * (4 * q * q)
    bits = bytearray(16)
    for i in range(COLUMNS * ROWS):
        x0 = (i % COLUMNS) * cell + q
        y0 = (i // COLUMNS) * cell + q
        total = 0
        for y in range(y0, y0 + 2 * q):
            start = y * width + x0
            total += sum(luma[start:start + 2 * q])
        if total > threshold:
            bits[i >> 3] |= 0x80 >> (i & 7)
    if bits[0] != MAGIC or int.from_bytes(bits[14:16], "big") != crc16(bits[:14]):
        return None
    frame = (int.from_bytes(bits[0:8], "big") >> 16) & ((1 << 40) - 1)
    unix_ms = int.from_bytes(bits[6:14], "big", signed=True)
    return frame, unix_ms


def draw_stamp(y_plane, width, cell, frame_number, unix_ms):
    """Draws the stamp into a bytearray luma plane (`width` bytes per row), as TestPatternGenerator does."""
    bits = bytearray(16)
    bits[0:8] = ((MAGIC << 56) | ((frame_number & ((1 << 40) - 1)) << 16)).to_bytes(8, "big")
    bits[6:14] = unix_ms.to_bytes(8, "big", signed=True)
    bits[14:16] = crc16(bits[:14]).to_bytes(2, "big")
    white, black = bytes([WHITE]) * cell, bytes([BLACK]) * cell
    for i in range(COLUMNS * ROWS):
        value = white if bits[i >> 3] & (0x80 >> (i & 7)) else black
        x0, y0 = (i % COLUMNS) * cell, (i // COLUMNS) * cell
        for y in range(y0, y0 + cell):
            y_plane[y * width + x0:y * width + x0 + cell] = value
