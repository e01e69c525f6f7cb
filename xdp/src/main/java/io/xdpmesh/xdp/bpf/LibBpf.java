package io.xdpmesh.xdp.bpf;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;

/**
 * The part of the system libbpf (libbpf.so.1, 1.x semantics: functions return -errno, pointer
 * getters return NULL and set errno) that the loader uses. No function here takes six integer
 * arguments (jnr-ffi's fast path corrupts the sixth, see DESIGN.md).
 */
public interface LibBpf {
    @SaveError Pointer bpf_object__open_mem(Pointer buf, @size_t long size, Pointer opts);
    int bpf_object__load(Pointer obj);
    void bpf_object__close(Pointer obj);
    @SaveError Pointer bpf_object__find_program_by_name(Pointer obj, String name);
    @SaveError Pointer bpf_object__find_map_by_name(Pointer obj, String name);

    int bpf_program__set_autoload(Pointer prog, boolean autoload);
    int bpf_program__set_log_buf(Pointer prog, Pointer buf, @size_t long size);
    int bpf_program__fd(Pointer prog);
    int bpf_map__fd(Pointer map);

    int bpf_xdp_attach(int ifindex, int progFd, int flags, Pointer opts);
    int bpf_xdp_query(int ifindex, int flags, Pointer opts);

    int bpf_prog_get_fd_by_id(int id);
    int bpf_map_get_fd_by_id(int id);
    int bpf_obj_get_info_by_fd(int fd, Pointer info, Pointer infoLen);
    int bpf_obj_pin(int fd, String path);
    int bpf_obj_get(String path);

    int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);
    int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);
    int bpf_map_delete_elem(int fd, Pointer key);

    int libbpf_num_possible_cpus();
    int libbpf_probe_bpf_map_type(int mapType, Pointer opts);

    /** libbpf_print_fn_t; {@code args} is the va_list, handed on to vsnprintf. */
    interface PrintFn {
        @Delegate int print(int level, Pointer format, Pointer args);
    }

    PrintFn libbpf_set_print(PrintFn fn);
}
