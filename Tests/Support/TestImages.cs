using System.Buffers.Binary;
using System.Text;
using NetVips;

namespace ContentApi.Tests.Support;

/// <summary>Test pictures made on the spot, including a phone photo with a GPS position, camera make and orientation.</summary>
public static class TestImages
{
    public const string CameraMake = "TESTCAM";

    /// <summary>A plain JPEG with some structure in it (a gradient), no metadata.</summary>
    public static byte[] Jpeg(int width = 800, int height = 600)
    {
        using var image = Gradient(width, height);
        return image.JpegsaveBuffer(q: 85, keep: Enums.ForeignKeep.None);
    }

    public static byte[] Png(int width, int height)
    {
        using var image = Gradient(width, height);
        return image.PngsaveBuffer(compression: 9, keep: Enums.ForeignKeep.None);
    }

    public static byte[] WebP(int width, int height)
    {
        using var image = Gradient(width, height);
        return image.WebpsaveBuffer(q: 80, keep: Enums.ForeignKeep.None);
    }

    /// <summary>A JPEG of noise: it hardly compresses, so it is large for its size (≈ 2 MB at 1600 × 1200).</summary>
    public static byte[] NoisyJpeg(int width, int height)
    {
        using var noise = Image.Gaussnoise(width, height, sigma: 60);
        using var bytes = noise.Cast(Enums.BandFormat.Uchar);
        using var colour = bytes.Bandjoin([bytes, bytes]).Copy(interpretation: Enums.Interpretation.Srgb);
        return colour.JpegsaveBuffer(q: 95, keep: Enums.ForeignKeep.None);
    }

    private static Image Gradient(int width, int height)
    {
        using var x = Image.Xyz(width, height);
        using var bands = x.Bandsplit()[0];
        using var product = bands * (255.0 / Math.Max(width, height));
        using var scaled = product.Cast(Enums.BandFormat.Uchar);
        return scaled.Bandjoin([scaled, scaled]).Copy(interpretation: Enums.Interpretation.Srgb);
    }

    /// <summary>
    /// A JPEG as a phone writes it: EXIF with the camera make, orientation 6 (turn 90° clockwise to view) and a GPS
    /// position (Sölvesborg, 56.05 N 14.58 E).
    /// </summary>
    public static byte[] PhoneJpegWithGps(int width = 800, int height = 600)
    {
        var jpeg = Jpeg(width, height);
        var exif = ExifWithGps();
        var segment = new byte[4 + exif.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(exif.Length + 2));
        exif.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static byte[] ExifWithGps()
    {
        var tiff = new byte[160];
        var span = tiff.AsSpan();
        "MM"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], 42);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], 8);
        // IFD0 at 8: Make, Orientation, GPS IFD pointer.
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], 3);
        Entry(span, 10, 0x010F, 2, 8, 152);
        Entry(span, 22, 0x0112, 3, 1, 6 << 16);
        Entry(span, 34, 0x8825, 4, 1, 50);
        // GPS IFD at 50.
        BinaryPrimitives.WriteUInt16BigEndian(span[50..], 4);
        Entry(span, 52, 0x0001, 2, 2, 'N' << 24);
        Entry(span, 64, 0x0002, 5, 3, 104);
        Entry(span, 76, 0x0003, 2, 2, 'E' << 24);
        Entry(span, 88, 0x0004, 5, 3, 128);
        uint[] latitude = [56, 1, 3, 1, 0, 1];
        uint[] longitude = [14, 1, 35, 1, 0, 1];
        for (var i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[(104 + i * 4)..], latitude[i]);
            BinaryPrimitives.WriteUInt32BigEndian(span[(128 + i * 4)..], longitude[i]);
        }
        Encoding.ASCII.GetBytes(CameraMake + "\0").CopyTo(span[152..]);
        return [.. "Exif\0\0"u8.ToArray(), .. tiff];
    }

    private static void Entry(Span<byte> span, int at, ushort tag, ushort type, uint count, int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], tag);
        BinaryPrimitives.WriteUInt16BigEndian(span[(at + 2)..], type);
        BinaryPrimitives.WriteUInt32BigEndian(span[(at + 4)..], count);
        BinaryPrimitives.WriteInt32BigEndian(span[(at + 8)..], value);
    }

    /// <summary>The metadata fields libvips finds in an encoded image.</summary>
    public static string[] Fields(byte[] encoded)
    {
        using var image = Image.NewFromBuffer(encoded);
        return image.GetFields();
    }

    public static (int Width, int Height) Size(byte[] encoded)
    {
        using var image = Image.NewFromBuffer(encoded);
        return (image.Width, image.Height);
    }
}
