using System.Runtime.InteropServices;

namespace Descent.Cli.Launcher;

/// <summary>The two libc calls the launcher needs, linked directly into the Native AOT executable (DirectPInvoke).</summary>
internal static class LibC
{
    /// <summary>
    /// Sets <see cref="ToolLauncher.ChoiceVariable"/> to <paramref name="reason"/> in the C environment (which
    /// <c>Environment.SetEnvironmentVariable</c> does not change on Unix) and replaces this process with
    /// <paramref name="path"/>: same process id, standard streams, signal dispositions; the new program's exit code is the
    /// process's. Returns only when that failed, with the errno.
    /// </summary>
    public static int Exec(string path, string[] argv, string reason)
    {
        if (setenv(ToolLauncher.ChoiceVariable, reason, 1) != 0) return Marshal.GetLastPInvokeError();
        var strings = new nint[argv.Length + 1];
        nint file = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            for (int i = 0; i < argv.Length; i++) strings[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            _ = execv(file, strings);
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            Marshal.FreeCoTaskMem(file);
            foreach (nint s in strings) Marshal.FreeCoTaskMem(s);
        }
    }

    /// <summary>Writes <paramref name="message"/> and a line feed to standard error (fd 2), without the console's machinery.</summary>
    public static void WriteError(string message)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(message + "\n");
        int offset = 0;
        while (offset < bytes.Length)
        {
            nint n = write(2, ref bytes[offset], bytes.Length - offset);
            if (n <= 0) return;
            offset += (int)n;
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for the same blittable calls
    [DllImport("libc", SetLastError = true)]
    private static extern int execv(nint path, nint[] argv);

    [DllImport("libc", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, ref byte buffer, nint count);
#pragma warning restore SYSLIB1054
}
