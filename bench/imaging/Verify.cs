// "verify": what each pipeline does with metadata and EXIF orientation.
// Makes small JPEGs carrying EXIF (orientation 1..8 + Artist), XMP, IPTC and a Display P3 ICC profile,
// converts them with every variant, and reports the WebP chunks written and whether the pixels come out upright
// (compared with libvips' own autorotate of the same JPEG).

using System.Text;
using NetVips;
using VipsImage = NetVips.Image;

namespace ImagingBench;

internal static class Verify
{
    private const int W = 600, H = 400, Target = 240;

    public static int RunAll(string workDir)
    {
        Program.ConfigureVips();
        Directory.CreateDirectory(workDir);
        int failures = 0;

        using var pattern = MakePattern();
        byte[] p3Icc;
        using (var p3 = pattern.IccTransform("p3", inputProfile: "srgb"))
        {
            p3Icc = (byte[])p3.Get("icc-profile-data");
        }

        Console.WriteLine($"input ICC: libvips built-in 'p3', {p3Icc.Length} bytes, desc='{IccDescription(p3Icc)}'");

        var variants = new (string Name, Func<string, int, byte[]> Fn)[]
        {
            ("netvips-thumbnail", Program.NetVipsThumbnail),
            ("netvips-decode-all", Program.NetVipsDecodeAll),
            ("skia-scaled", Program.SkiaScaled),
            ("skia-full", Program.SkiaFull),
        };

        // 1) Metadata: orientation 6 JPEG with EXIF + XMP + IPTC + P3 ICC, and a plain sRGB JPEG without any.
        foreach (var (label, withMeta) in new[] { ("with EXIF(orientation=6)+XMP+IPTC+P3 ICC", true), ("plain, no metadata/ICC", false) })
        {
            string path = Path.Combine(workDir, withMeta ? "meta.jpg" : "plain.jpg");
            WriteJpeg(pattern, path, withMeta ? 6 : 0, withMeta);
            Console.WriteLine($"\n[{label}] input fields: {DescribeFields(path)}");
            foreach (var (name, fn) in variants)
            {
                byte[] webp = fn(path, Target);
                File.WriteAllBytes(Path.Combine(workDir, $"{Path.GetFileNameWithoutExtension(path)}-{name}.webp"), webp);
                var chunks = Program.WebpChunks(webp).Select(c => $"{c.FourCc.Trim()}({c.Size})");
                string icc = "none";
                using (var back = VipsImage.NewFromBuffer(webp))
                {
                    if (back.Contains("icc-profile-data"))
                    {
                        var prof = (byte[])back.Get("icc-profile-data");
                        icc = $"{prof.Length} B '{IccDescription(prof)}'{(prof.AsSpan().SequenceEqual(p3Icc) ? " (byte-identical to input)" : "")}";
                    }
                }

                Console.WriteLine($"  {name,-19} {Program.WebpDims(webp),-8} chunks: {string.Join(' ', chunks)}; ICC: {icc}");
                if (withMeta && Program.WebpChunks(webp).Any(c => c.FourCc is "EXIF" or "XMP "))
                {
                    Console.WriteLine("    FAIL: EXIF/XMP leaked into output");
                    failures++;
                }
            }
        }

        // 2) Orientation: all eight EXIF orientations, compared with libvips' autorot of the same file.
        Console.WriteLine("\n[orientation] mean |diff| vs autorot reference (0..255; <4 = same picture, >>10 = wrong way round)");
        for (int o = 1; o <= 8; o++)
        {
            string path = Path.Combine(workDir, $"orient-{o}.jpg");
            WriteJpeg(pattern, path, o, withMeta: false);
            using var loaded = VipsImage.NewFromFile(path);
            using var upright = loaded.Autorot();
            var line = new StringBuilder($"  orientation {o} ({upright.Width}x{upright.Height} upright):");
            foreach (var (name, fn) in variants)
            {
                byte[] webp = fn(path, Target);
                using var got = VipsImage.NewFromBuffer(webp);
                string verdict;
                if (got.Width != Target || Math.Abs(got.Height - (double)upright.Height * Target / upright.Width) > 1)
                {
                    verdict = $"WRONG SIZE {got.Width}x{got.Height}";
                    failures++;
                }
                else
                {
                    using var refImg = upright.Resize((double)got.Width / upright.Width,
                        vscale: (double)got.Height / upright.Height);
                    using var diff = (refImg.Cast(Enums.BandFormat.Float) - got.ExtractBand(0, n: 3).Cast(Enums.BandFormat.Float)).Abs();
                    double mad = diff.Avg();
                    verdict = mad.ToString("F1");
                    if (mad > 6)
                    {
                        verdict += " WRONG";
                        failures++;
                    }
                }

                line.Append($" {name}={verdict}");
            }

            if (o > 1)
            {
                // Negative control: the same file without autorotation must NOT match the reference.
                using var unrotated = VipsImage.Thumbnail(path, Target, height: 10_000_000, noRotate: true);
                bool differs = unrotated.Width != Target || unrotated.Height != (int)Math.Round((double)upright.Height * Target / upright.Width);
                if (!differs)
                {
                    using var refImg = upright.Resize((double)Target / upright.Width, vscale: (double)unrotated.Height / upright.Height);
                    using var diff = (refImg.Cast(Enums.BandFormat.Float) - unrotated.Cast(Enums.BandFormat.Float)).Abs();
                    double controlMad = diff.Avg();
                    differs = controlMad > 6;
                    line.Append($" [control noRotate={controlMad:F1}]");
                }
                else
                {
                    line.Append($" [control noRotate={unrotated.Width}x{unrotated.Height}]");
                }

                if (!differs)
                {
                    line.Append(" CONTROL FAILED: check cannot tell orientations apart");
                    failures++;
                }
            }

            Console.WriteLine(line);
        }

        Console.WriteLine(failures == 0 ? "\nverify: all checks passed" : $"\nverify: {failures} check(s) FAILED");
        return failures == 0 ? 0 : 1;
    }

    private static VipsImage MakePattern()
    {
        // Asymmetric so that every flip/rotation is distinguishable: red grows left->right, green top->bottom,
        // a blue block sits in the top-left corner.
        using var xy = VipsImage.Xyz(W, H);
        using var x = xy[0];
        using var y = xy[1];
        using var r = x * (255.0 / W);
        using var g = y * (255.0 / H);
        using var corner = (x < 150) & (y < 80);
        using var b = corner.Ifthenelse(230, 20);
        using var rgb = r.Bandjoin(g, b.Cast(Enums.BandFormat.Double));
        return rgb.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
    }

    private static void WriteJpeg(VipsImage pattern, string path, int orientation, bool withMeta)
    {
        using var img = withMeta ? pattern.IccTransform("p3", inputProfile: "srgb") : pattern.Copy();
        using var tagged = img.Mutate(m =>
        {
            if (orientation > 0)
            {
                m.Set(GValue.GIntType, "orientation", orientation);
            }

            if (withMeta)
            {
                m.Set(GValue.GStrType, "exif-ifd0-Artist", "Bench Tester");
                m.Set(GValue.BlobType, "xmp-data", Encoding.UTF8.GetBytes(
                    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">" +
                    "<rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:creator=\"Bench Tester\"/></rdf:RDF></x:xmpmeta>"));
                m.Set(GValue.BlobType, "iptc-data", IptcBlob("bench caption"));
            }
        });
        tagged.Jpegsave(path, q: 92, keep: Enums.ForeignKeep.All);
    }

    /// <summary>Photoshop APP13 payload holding one IPTC IIM record 2:120 (caption).</summary>
    private static byte[] IptcBlob(string caption)
    {
        var iim = new List<byte> { 0x1C, 0x02, 0x78, 0x00, (byte)caption.Length };
        iim.AddRange(Encoding.ASCII.GetBytes(caption));
        var blob = new List<byte>();
        blob.AddRange(Encoding.ASCII.GetBytes("Photoshop 3.0\0"));
        blob.AddRange(Encoding.ASCII.GetBytes("8BIM"));
        blob.AddRange([0x04, 0x04, 0x00, 0x00]);
        blob.AddRange([0, 0, (byte)(iim.Count >> 8), (byte)iim.Count]);
        blob.AddRange(iim);
        if ((iim.Count & 1) == 1)
        {
            blob.Add(0);
        }

        return blob.ToArray();
    }

    private static string DescribeFields(string path)
    {
        using var img = VipsImage.NewFromFile(path);
        var parts = new List<string>();
        foreach (var f in new[] { "orientation", "exif-data", "xmp-data", "iptc-data", "icc-profile-data" })
        {
            if (!img.Contains(f))
            {
                continue;
            }

            var v = img.Get(f);
            parts.Add(v is byte[] bytes ? $"{f}={bytes.Length}B" : $"{f}={v}");
        }

        if (img.Contains("exif-ifd0-Artist"))
        {
            parts.Add($"Artist='{img.Get("exif-ifd0-Artist")}'");
        }

        return string.Join(", ", parts);
    }

    /// <summary>Reads the ICC 'desc' tag (v2 textDescriptionType or v4 multiLocalizedUnicodeType).</summary>
    private static string IccDescription(byte[] icc)
    {
        static int Be32(byte[] a, int o) => a[o] << 24 | a[o + 1] << 16 | a[o + 2] << 8 | a[o + 3];
        if (icc.Length < 132)
        {
            return "?";
        }

        int count = Be32(icc, 128);
        for (int i = 0; i < count && 132 + i * 12 + 12 <= icc.Length; i++)
        {
            int e = 132 + i * 12;
            if (Encoding.ASCII.GetString(icc, e, 4) != "desc")
            {
                continue;
            }

            int off = Be32(icc, e + 4);
            string type = Encoding.ASCII.GetString(icc, off, 4);
            if (type == "desc")
            {
                int len = Be32(icc, off + 8);
                return Encoding.ASCII.GetString(icc, off + 12, Math.Max(0, len - 1));
            }

            if (type == "mluc")
            {
                int recLen = Be32(icc, off + 20);
                int recOff = Be32(icc, off + 24);
                return Encoding.BigEndianUnicode.GetString(icc, off + recOff, recLen);
            }

            return type;
        }

        return "?";
    }
}
